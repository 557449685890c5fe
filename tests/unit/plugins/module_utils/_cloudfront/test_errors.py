# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Error mapping: every AWS SDK failure becomes one message that names the thing."""

from __future__ import annotations

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
    translated_errors,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import TransientError
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import client_error

CONTEXT = {"distribution_id": "E2QWRUHAPOMQZL", "invalidation_id": "I2J0I21PCUYOIK"}


def translate(exc: Exception, operation: str = "GetInvalidation", **context) -> CloudFrontError:
    with pytest.raises(CloudFrontError) as info, translated_errors(operation, **(context or CONTEXT)):
        raise exc
    assert info.value.__cause__ is exc
    return info.value


@pytest.mark.parametrize(
    "code, status, words",
    [
        ("NoSuchDistribution", 404, "CloudFront distribution E2QWRUHAPOMQZL does not exist"),
        (
            "NoSuchInvalidation",
            404,
            "CloudFront invalidation I2J0I21PCUYOIK does not exist in distribution E2QWRUHAPOMQZL",
        ),
        ("AccessDenied", 403, "may not call cloudfront:GetInvalidation"),
        ("ExpiredToken", 403, "have expired (ExpiredToken)"),
        ("InvalidClientTokenId", 403, "rejected the credentials (InvalidClientTokenId)"),
        ("SignatureDoesNotMatch", 403, "rejected the credentials"),
        ("InvalidArgument", 400, "CloudFront refused cloudfront:GetInvalidation on invalidation I2J0I21PCUYOIK"),
    ],
)
def test_final_client_errors(code, status, words):
    error = translate(client_error(code, status, "some text"))
    assert not isinstance(error, TransientError)
    assert words in error.msg
    assert error.code == code


@pytest.mark.parametrize(
    "code, status, cause",
    [
        ("Throttling", 400, "throttled"),
        ("TooManyRequestsException", 429, "throttled"),
        ("SomethingNew", 429, "throttled"),
        ("ServiceUnavailable", 503, "server error"),
        ("InternalError", 500, "server error"),
        ("BadGateway", 502, "server error"),
    ],
)
def test_transient_client_errors(code, status, cause):
    error = translate(client_error(code, status, "Rate exceeded"))
    assert isinstance(error, TransientCloudFrontError) and isinstance(error, TransientError)
    assert error.cause == cause
    assert "I2J0I21PCUYOIK" in error.msg


def test_access_denied_names_the_action_of_the_operation_and_the_distribution_id():
    error = translate(
        client_error("AccessDenied", 403, operation="ListInvalidations"), "ListInvalidations", distribution_id="E1"
    )
    assert "cloudfront:ListInvalidations" in error.msg and "CloudFront distribution E1" in error.msg
    # with a least-privilege policy, a wrong or foreign distribution ID is denied too
    assert "or the distribution ID E1: a wrong one, or one of another AWS account, is denied the same way" in error.msg


def test_an_answer_of_aws_carries_its_request_id():
    response = {
        "Error": {"Code": "AccessDenied", "Message": "no"},
        "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": "4b2d-request"},
    }
    error = translate(bx.ClientError(response, "GetInvalidation"))
    assert error.request_id == "4b2d-request" and error.msg.endswith("[AWS request ID 4b2d-request]")
    assert error.facts() == {"error_code": "AccessDenied", "request_id": "4b2d-request"}
    throttled = translate(client_error("Throttling", 400))
    assert throttled.request_id is None and "request ID" not in throttled.msg
    assert throttled.facts() == {"error_code": "Throttling"}


@pytest.mark.parametrize(
    "exc, cause",
    [
        (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "unreachable"),
        (bx.ConnectionClosedError(endpoint_url="http://127.0.0.1:1"), "unreachable"),
        (bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), "timed out"),
        (bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), "timed out"),
        (bx.ProxyConnectionError(proxy_url="http://proxy:3128", error="reset"), "unreachable"),
        (
            bx.SSLError(endpoint_url="https://x", error="EOF occurred in violation of protocol (_ssl.c:2427)"),
            "TLS dropped",
        ),
        (bx.SSLError(endpoint_url="https://x", error="[SSL: UNEXPECTED_EOF_WHILE_READING] EOF"), "TLS dropped"),
        (bx.CredentialRetrievalError(provider="container-role", error_msg="timed out"), "credentials"),
    ],
)
def test_network_errors_are_transient(exc, cause):
    error = translate(exc)
    assert isinstance(error, TransientCloudFrontError) and error.cause == cause


@pytest.mark.parametrize(
    "exc, words",
    [
        (bx.NoCredentialsError(), "No usable AWS credentials"),
        (
            bx.SSLError(endpoint_url="https://x", error="[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            "TLS failed",
        ),
        (bx.SSLError(endpoint_url="https://x", error="hostname 'x' doesn't match 'y'"), "TLS failed"),
        (bx.SSLError(endpoint_url="https://x", error="[SSL: WRONG_VERSION_NUMBER] wrong version number"), "TLS failed"),
        (bx.ParamValidationError(report="bad"), "Could not call cloudfront:GetInvalidation"),
    ],
)
def test_other_sdk_errors_are_final(exc, words):
    error = translate(exc)
    assert not isinstance(error, TransientError) and words in error.msg


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError), translated_errors("GetInvalidation"):
        raise KeyError("x")
