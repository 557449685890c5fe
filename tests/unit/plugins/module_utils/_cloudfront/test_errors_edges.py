# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Error mapping, exactly: codes as AWS sends them, the boundaries of the HTTP status, and the
words of each message (written against the mutants that `make mutate` found alive, docs/testing.md)."""

from __future__ import annotations

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
    describe_subject,
    translated_errors,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import fresh


def translate(code: str, status: int | None = 400, message: str | None = "", **context: str) -> CloudFrontError:
    response: dict = {"Error": {"Code": code, "Message": message}}
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    with pytest.raises(CloudFrontError) as info, translated_errors("GetInvalidation", **context):
        raise bx.ClientError(response, "GetInvalidation")
    return info.value


def test_only_the_throttled_cause_marks_an_error_throttled():
    assert TransientCloudFrontError("m", cause=fresh("throttled")).throttled is True
    for cause in ("server error", "unreachable", "timed out", "TLS dropped", "credentials"):
        assert TransientCloudFrontError("m", cause=cause).throttled is False


def test_codes_parsed_from_an_answer_are_recognised():
    assert "distribution E1 does not exist" in translate(fresh("NoSuchDistribution"), 404, distribution_id="E1").msg
    missing = translate(fresh("NoSuchInvalidation"), 404, distribution_id="E1", invalidation_id="I1")
    assert "invalidation I1 does not exist in distribution E1" in missing.msg
    tenant = translate(fresh("EntityNotFound"), 404, distribution_tenant_id="dt_x1")
    assert tenant.msg == "CloudFront distribution tenant dt_x1 does not exist"


@pytest.mark.parametrize("code", ["AccessDenied", "InvalidArgument", "TooManyInvalidationsInProgress"])
def test_only_entity_not_found_says_a_tenant_does_not_exist(code):
    error = translate(code, 400, distribution_tenant_id="dt_x1")
    assert "does not exist" not in error.msg


def test_entity_not_found_without_a_tenant_is_a_refusal():
    error = translate("EntityNotFound", 404, distribution_id="E1")
    assert error.msg == "CloudFront refused cloudfront:GetInvalidation on CloudFront distribution E1 (EntityNotFound)"


def test_the_message_of_the_answer_follows_its_code():
    assert translate("InvalidArgument", 400, "Bad path").msg.endswith("(InvalidArgument: Bad path)")
    for nothing in ("", None, "   "):
        assert translate("InvalidArgument", 400, nothing).msg.endswith("(InvalidArgument)")


@pytest.mark.parametrize("status, transient", [(499, False), (500, True), (501, True), (599, True)])
def test_an_http_status_of_500_and_above_is_a_server_error(status, transient):
    error = translate("SomethingNew", status)
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


def test_an_invalidation_without_its_owner_is_not_named():
    assert describe_subject({"invalidation_id": "I1"}) == "CloudFront"
    assert describe_subject({"distribution_id": "E1"}) == "CloudFront distribution E1"
    assert describe_subject({"distribution_id": "E1", "invalidation_id": "I1"}) == (
        "invalidation I1 of CloudFront distribution E1"
    )
