# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Error mapping: every AWS SDK failure becomes one message that names the thing: the codes as AWS
sends them, the boundaries of the HTTP status, the words of each message."""

from __future__ import annotations

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
    describe_subject,
    translated_errors,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import TransientError
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    client_error,
    fresh,
)

CONTEXT = {"distribution_id": "E2QWRUHAPOMQZL", "invalidation_id": "I2J0I21PCUYOIK"}


def translate(exc: Exception, operation: str = "GetInvalidation", **context) -> CloudFrontError:
    """The error ``exc`` becomes, raised by ``operation`` about ``context`` (CONTEXT when none is given)."""
    with pytest.raises(CloudFrontError) as info, translated_errors(operation, **(context or CONTEXT)):
        raise exc
    assert info.value.__cause__ is exc
    return info.value


def translate_answer(code: str, status: int | None = 400, message: str | None = "", **context: str) -> CloudFrontError:
    """The error an answer of AWS becomes: ``code``, ``status`` (None: no ResponseMetadata) and ``message``."""
    response: dict = {"Error": {"Code": code, "Message": message}}
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    with pytest.raises(CloudFrontError) as info, translated_errors("GetInvalidation", **context):
        raise bx.ClientError(response, "GetInvalidation")
    return info.value


# --- refusals: the code of the answer, the thing it names, its words ------------------------------


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


def test_access_denied_names_the_action_of_the_operation_and_the_distribution_id():
    error = translate(
        client_error("AccessDenied", 403, operation="ListInvalidations"), "ListInvalidations", distribution_id="E1"
    )
    assert "cloudfront:ListInvalidations" in error.msg and "CloudFront distribution E1" in error.msg
    # with a least-privilege policy, a wrong or foreign distribution ID is denied too
    assert "or the distribution ID E1: a wrong one, or one of another AWS account, is denied the same way" in error.msg


def test_codes_parsed_from_an_answer_are_recognised():
    assert (
        "distribution E1 does not exist" in translate_answer(fresh("NoSuchDistribution"), 404, distribution_id="E1").msg
    )
    missing = translate_answer(fresh("NoSuchInvalidation"), 404, distribution_id="E1", invalidation_id="I1")
    assert "invalidation I1 does not exist in distribution E1" in missing.msg
    tenant = translate_answer(fresh("EntityNotFound"), 404, distribution_tenant_id="dt_x1")
    assert tenant.msg == "CloudFront distribution tenant dt_x1 does not exist"


@pytest.mark.parametrize("code", ["AccessDenied", "InvalidArgument", "TooManyInvalidationsInProgress"])
def test_only_entity_not_found_says_a_tenant_does_not_exist(code):
    error = translate_answer(code, 400, distribution_tenant_id="dt_x1")
    assert "does not exist" not in error.msg


def test_entity_not_found_without_a_tenant_is_a_refusal():
    error = translate_answer("EntityNotFound", 404, distribution_id="E1")
    assert error.msg == "CloudFront refused cloudfront:GetInvalidation on CloudFront distribution E1 (EntityNotFound)"


def test_the_message_of_the_answer_follows_its_code():
    assert translate_answer("InvalidArgument", 400, "Bad path").msg.endswith("(InvalidArgument: Bad path)")
    for nothing in ("", None, "   "):
        assert translate_answer("InvalidArgument", 400, nothing).msg.endswith("(InvalidArgument)")


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


def test_an_invalidation_without_its_owner_is_not_named():
    assert describe_subject({"invalidation_id": "I1"}) == "CloudFront"
    assert describe_subject({"distribution_id": "E1"}) == "CloudFront distribution E1"
    assert describe_subject({"distribution_id": "E1", "invalidation_id": "I1"}) == (
        "invalidation I1 of CloudFront distribution E1"
    )


# --- passing failures: throttling, server errors, the network -------------------------------------


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


def test_only_the_throttled_cause_marks_an_error_throttled():
    assert TransientCloudFrontError("m", cause=fresh("throttled")).throttled is True
    for cause in ("server error", "unreachable", "timed out", "TLS dropped", "credentials"):
        assert TransientCloudFrontError("m", cause=cause).throttled is False


@pytest.mark.parametrize("status, transient", [(499, False), (500, True), (501, True), (599, True)])
def test_an_http_status_of_500_and_above_is_a_server_error(status, transient):
    error = translate_answer("SomethingNew", status)
    assert isinstance(error, TransientCloudFrontError) is transient
    if transient:
        assert f"with a server error (HTTP {status}) (SomethingNew)" in error.msg


@pytest.mark.parametrize("metadata", [None, "not a number"])
def test_a_server_error_without_a_usable_status_says_http_0(metadata):
    response: dict = {"Error": {"Code": "InternalError", "Message": ""}}
    if metadata is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": metadata}
    with pytest.raises(TransientCloudFrontError) as info, translated_errors("GetInvalidation"):
        raise bx.ClientError(response, "GetInvalidation")
    assert "with a server error (HTTP 0) (InternalError)" in info.value.msg


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


# --- other failures -------------------------------------------------------------------------------


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
