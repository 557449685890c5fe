# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What AWS checks of every request (auth): the signature, the secret key, the session token; the
credentials of a role from STS (patches)."""

from __future__ import annotations

import importlib
import urllib.error
import urllib.request
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config

from local_cloudfront import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalCloudFront
from local_cloudfront.helpers import IMPATIENT, LONG, error_of


def signed_client(cf: LocalCloudFront, key: str, secret: str, token: str | None = None) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token, region_name="us-east-1"
    )
    return session.client("cloudfront", endpoint_url=cf.url, config=IMPATIENT)


def test_a_registered_key_must_sign_with_its_secret_and_carry_its_token(cf: LocalCloudFront, dist_id: str) -> None:
    key, secret, token = "AKIASIGNATURECHECK01", "signature-check-secret-Hy7Tg5Rf3", "signature-check-token-Jk9"
    cf.register_credentials(key, secret, token)
    good = signed_client(cf, key, secret, token)
    # a body (POST), a query string and a path with a tenant's ID are all signed as botocore signs them
    batch = {"Paths": {"Quantity": 1, "Items": ["/a b/ü*"]}, "CallerReference": "signed"}
    inv = good.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch)["Invalidation"]["Id"]
    assert good.list_invalidations(DistributionId=dist_id, MaxItems="1")["InvalidationList"]["Quantity"] == 1
    assert good.get_invalidation(DistributionId=dist_id, Id=inv)["Invalidation"]["Id"] == inv
    wrong_secret = signed_client(cf, key, "not-the-secret-Ab1Cd2Ef3", token)
    assert error_of(wrong_secret.get_invalidation, DistributionId=dist_id, Id=inv) == ("SignatureDoesNotMatch", 403)
    for lost in (None, "not-the-token-Xy9"):
        client = signed_client(cf, key, secret, lost)
        assert error_of(client.get_invalidation, DistributionId=dist_id, Id=inv) == ("InvalidClientTokenId", 403)
    # a key not registered is one AWS does not know, whatever its secret; a registered key without a
    # token needs none
    stranger = signed_client(cf, "AKIANOTREGISTERED001", "any-secret-Qq1")
    assert error_of(stranger.list_distributions) == ("InvalidClientTokenId", 403)
    cf.register_credentials("AKIANOTOKENNEEDED001", secret)
    assert signed_client(cf, "AKIANOTOKENNEEDED001", secret).list_distributions()
    assert error_of(signed_client(cf, "AKIANOTOKENNEEDED001", "other-secret-Ww2").list_distributions) == (
        "SignatureDoesNotMatch",
        403,
    )
    cf.reset()  # registered for the endpoint's life
    assert error_of(wrong_secret.list_distributions) == ("SignatureDoesNotMatch", 403)


def test_an_unsigned_request_is_refused_as_aws_refuses_it(cf: LocalCloudFront) -> None:
    """No Authorization header: MissingAuthenticationToken, whatever the operation, and logged."""
    request = urllib.request.Request(f"{cf.url}/2020-05-31/distribution", method="GET")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403 and b"<Code>MissingAuthenticationToken</Code>" in refused.value.read()
    unsigned = boto3.session.Session(region_name="us-east-1").client(
        "cloudfront", endpoint_url=cf.url, config=IMPATIENT.merge(Config(signature_version=botocore.UNSIGNED))
    )
    assert error_of(unsigned.list_distributions) == ("MissingAuthenticationToken", 403)
    assert [(r["operation"], r["status"]) for r in cf.requests()] == [("ListDistributions", 403)] * 2


def test_the_credentials_of_a_role_from_sts_work_on_an_endpoint_of_either_import_of_the_package() -> None:
    """moto's STS is patched once, by the first import of this package; an endpoint of the other import
    (by its other name, as the integration tests and the benchmarks import it) accepts the credentials
    of the roles it hands out too."""
    other = importlib.import_module("ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront")
    assert other.LocalCloudFront is not LocalCloudFront  # two imports of the package
    with other.LocalCloudFront(default_delay=LONG) as endpoint:
        session = boto3.session.Session(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, region_name="us-east-1")
        sts = session.client("sts", endpoint_url=endpoint.url, config=IMPATIENT)
        role = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/deploy", RoleSessionName="either")
        credentials = role["Credentials"]
        client = signed_client(
            endpoint, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )
        client.list_distributions()
        assert [(r["service"], r["status"]) for r in endpoint.requests()] == [("sts", 200), ("cloudfront", 200)]
