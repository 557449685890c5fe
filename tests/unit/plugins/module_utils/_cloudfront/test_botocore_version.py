# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The botocore the collection needs: a botocore older than ``BOTOCORE_MINIMUM`` (whose client has
no method for the distribution-tenant operations) fails a tenant request naming the version it
needs, and distribution requests still work; requirements.txt asks for that same version."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import botocore
import botocore.session
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api as api_module
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import (
    BOTOCORE_MINIMUM,
    TENANT_OPERATIONS,
    CloudFrontApi,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.test_api import (
    StubClient,
    api_of,
    invalidations,
)

E1 = Owner("E1")
TENANT = Owner("dt_1", tenant=True)
REQUIREMENTS = Path(api_module.__file__).parents[3] / "requirements.txt"
# every operation the collection calls (CloudFrontApi): those of distributions, and the tenant ones
DISTRIBUTION_OPERATIONS = {
    "GetDistribution",
    "ListDistributions",
    "GetInvalidation",
    "ListInvalidations",
    "CreateInvalidation",
}


class BeforeTenants:
    """A client of a botocore older than the tenant operations: the distribution operations only
    (answered by a :class:`StubClient`), no method for any tenant one."""

    def __init__(self, stub: StubClient) -> None:
        self.stub = stub

    def get_distribution(self, **params: Any) -> Any:
        return self.stub.get_distribution(**params)

    def list_distributions(self, **params: Any) -> Any:
        return self.stub.list_distributions(**params)

    def get_invalidation(self, **params: Any) -> Any:
        return self.stub.get_invalidation(**params)

    def list_invalidations(self, **params: Any) -> Any:
        return self.stub.list_invalidations(**params)

    def create_invalidation(self, DistributionId: str, InvalidationBatch: dict[str, Any]) -> Any:
        self.stub.calls.append(("CreateInvalidation", {"DistributionId": DistributionId}))
        return {"Invalidation": {"Id": "I9", "Status": "InProgress", "InvalidationBatch": InvalidationBatch}}


def old_api(clock: FakeClock | None = None) -> tuple[CloudFrontApi, StubClient]:
    """The API over a client of an older botocore, and the stub that records its requests."""
    stub = StubClient(invalidations(3), [{"Id": "E1", "DomainName": "d1.cloudfront.net"}])
    return api_of(BeforeTenants(stub), clock), stub  # type: ignore[arg-type]  # a duck-typed client


TENANT_REQUESTS: dict[str, Callable[[CloudFrontApi], object]] = {
    "GetDistributionTenantByDomain": lambda api: api.find_owner("shop.example.com"),
    "GetDistributionTenant": lambda api: api.get_distribution_tenant("dt_1"),
    "ListDistributionTenants": lambda api: list(api.distribution_tenants("E1")),
    "GetInvalidationForDistributionTenant": lambda api: api.get_invalidation(TENANT, "I1"),
    "ListInvalidationsForDistributionTenant": lambda api: list(api.invalidations(TENANT, 0)),
    "CreateInvalidationForDistributionTenant": lambda api: api.create_invalidation(TENANT, ["/*"], "ref-1"),
}


def test_every_tenant_operation_has_a_request_here():
    assert set(TENANT_REQUESTS) == TENANT_OPERATIONS


@pytest.mark.parametrize("operation", sorted(TENANT_REQUESTS))
def test_a_tenant_request_with_an_older_botocore_names_the_version_it_needs(operation, monkeypatch):
    monkeypatch.setattr(api_module, "BOTOCORE_VERSION", "1.34.0")
    clock = FakeClock()
    api, stub = old_api(clock=clock)
    with pytest.raises(CloudFrontError) as raised:
        TENANT_REQUESTS[operation](api)
    assert raised.value.msg == (
        f"{operation} needs botocore >= {BOTOCORE_MINIMUM} (this controller has botocore 1.34.0):"
        " upgrade boto3 and botocore (requirements.txt)"
    )
    assert raised.value.code is None
    # not retried: no sleep, no request of the tenant operation
    assert clock.sleeps == []
    assert not [op for op in stub.ops() if op in TENANT_OPERATIONS]


def test_the_message_names_the_botocore_of_the_controller():
    api, _stub = old_api()
    with pytest.raises(CloudFrontError, match=re.escape(f"(this controller has botocore {botocore.__version__})")):
        api.get_invalidation(TENANT, "I1")


def test_a_wait_that_does_not_retry_fails_the_same_way():
    api, _stub = old_api()
    api.retry = False
    with pytest.raises(
        CloudFrontError, match=f"^GetInvalidationForDistributionTenant needs botocore >= {BOTOCORE_MINIMUM} "
    ):
        api.get_invalidation(TENANT, "I1")


def test_distribution_requests_still_work_with_an_older_botocore():
    api, stub = old_api()
    assert api.get_invalidation(E1, "I1")["Id"] == "I1"
    assert [i["Id"] for i in api.invalidations(E1, 0)] == ["I2", "I1", "I0"]
    assert api.get_distribution("E1")["Id"] == "E1"
    created, _answered_at = api.create_invalidation(E1, ["/*"], "ref-1")
    assert created["Id"] == "I9"
    assert api.find_owner("d1.cloudfront.net") == E1
    assert stub.ops() == [
        "GetInvalidation",
        "ListInvalidations",
        "GetDistribution",
        "CreateInvalidation",
        "ListDistributions",
    ]


def test_a_client_of_this_botocore_passes_for_every_operation():
    """The installed botocore (>= the minimum) has a client method for every operation checked."""
    client = botocore.session.get_session().create_client(
        "cloudfront", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    )
    for operation in TENANT_OPERATIONS | DISTRIBUTION_OPERATIONS:
        assert operation in client.meta.service_model.operation_names
        assert api_module._knowing(client, operation) is client  # pylint: disable=protected-access


def requirement(name: str) -> str:
    """The minimum version requirements.txt asks for ``name`` (``name>=X``)."""
    found = re.findall(rf"^{name}>=([0-9.]+)\s*$", REQUIREMENTS.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(found) == 1, f"requirements.txt should ask for {name}>=X once"
    return found[0]


def test_requirements_ask_for_the_botocore_that_the_error_names():
    """One version in two places: requirements.txt and the message of an older botocore's failure.
    boto3 X.Y.Z requires botocore >= X.Y.Z (and below X.Y+1), so boto3's minimum is the same."""
    assert requirement("botocore") == BOTOCORE_MINIMUM
    assert requirement("boto3") == BOTOCORE_MINIMUM


def test_the_installed_botocore_is_at_least_the_minimum():
    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".")[:3])

    assert version(botocore.__version__) >= version(BOTOCORE_MINIMUM)
