# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Errors of this collection, and the one place where AWS SDK errors become them.

Helpers raise :class:`CloudFrontError`; a module's ``main()`` catches it once and fails
with its message.  Every message names the thing it is about (the distribution, the
invalidation, the alias, the IAM action) and says what to do about it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, cast

try:
    import botocore.exceptions as botocore_exceptions
except ImportError:
    botocore_exceptions = None  # type: ignore[assignment]  # handled by AnsibleAWSModule

from .waiter import TransientError

if TYPE_CHECKING:
    # botocore-stubs: ClientError.response is typed there, with the private TypedDict below.
    from botocore.exceptions import ClientError, _ClientErrorResponseTypeDef

THROTTLING_CODES = frozenset(
    (
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
    )
)
SERVER_ERROR_CODES = frozenset(("ServiceUnavailable", "InternalError", "InternalFailure", "Unavailable"))
ACCESS_DENIED_CODES = frozenset(("AccessDenied", "AccessDeniedException"))
EXPIRED_CREDENTIAL_CODES = frozenset(("ExpiredToken", "ExpiredTokenException", "RequestExpired"))
REJECTED_CREDENTIAL_CODES = frozenset(
    (
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "AuthFailure",
    )
)


class CloudFrontError(Exception):
    """A failure to report to the user: ``msg`` says what went wrong and names the thing."""

    def __init__(self, msg: str, code: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code


class TransientCloudFrontError(CloudFrontError, TransientError):
    """A failure worth retrying later: throttling, a 5xx answer, an unreachable endpoint.

    ``cause`` is a short word for the kind of trouble (``throttled``, ``server error``,
    ``unreachable``, ``timed out``) used when a wait finally gives up.
    """

    def __init__(self, msg: str, cause: str, code: str | None = None) -> None:
        super().__init__(msg, code)
        self.cause = cause


def describe_subject(context: dict[str, str | None]) -> str:
    """'invalidation I2J0 of distribution E2QW', 'distribution E2QW', or 'CloudFront'."""
    distribution_id = context.get("distribution_id")
    invalidation_id = context.get("invalidation_id")
    if invalidation_id and distribution_id:
        return f"invalidation {invalidation_id} of CloudFront distribution {distribution_id}"
    if distribution_id:
        return f"CloudFront distribution {distribution_id}"
    return "CloudFront"


def _http_status(response: _ClientErrorResponseTypeDef) -> int:
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status if isinstance(status, int) else 0


def from_client_error(error: ClientError, operation: str, context: dict[str, str | None]) -> CloudFrontError:
    """Map a botocore ``ClientError`` from ``operation`` (e.g. ``GetInvalidation``) to our error."""
    response = cast("_ClientErrorResponseTypeDef", getattr(error, "response", {}) or {})
    code = str(response.get("Error", {}).get("Code", "Unknown"))
    message = str(response.get("Error", {}).get("Message", "") or "").strip()
    status = _http_status(response)
    action = f"cloudfront:{operation}"
    subject = describe_subject(context)
    detail = f" ({code}: {message})" if message else f" ({code})"

    if code == "NoSuchDistribution":
        return CloudFrontError(f"CloudFront distribution {context.get('distribution_id')} does not exist", code)
    if code == "NoSuchInvalidation":
        return CloudFrontError(
            f"CloudFront invalidation {context.get('invalidation_id')} does not exist"
            f" in distribution {context.get('distribution_id')}",
            code,
        )
    if code in ACCESS_DENIED_CODES:
        return CloudFrontError(
            f"Access denied: the AWS credentials in use may not call {action} on {subject}."
            f" Allow {action} in the IAM policy of the user or role running this task{detail}",
            code,
        )
    if code in EXPIRED_CREDENTIAL_CODES:
        return CloudFrontError(
            f"The AWS credentials have expired ({code}) while calling {action} on {subject}."
            " Refresh the session token (or the AWX AWS credential) and run the task again",
            code,
        )
    if code in REJECTED_CREDENTIAL_CODES:
        return CloudFrontError(
            f"AWS rejected the credentials ({code}) while calling {action} on {subject}."
            " Check the access key, secret key, session token or profile in use",
            code,
        )
    if code in THROTTLING_CODES or status == 429:
        return TransientCloudFrontError(
            f"CloudFront throttled {action} on {subject}{detail}", cause="throttled", code=code
        )
    if code in SERVER_ERROR_CODES or status >= 500:
        return TransientCloudFrontError(
            f"CloudFront answered {action} on {subject} with a server error (HTTP {status}){detail}",
            cause="server error",
            code=code,
        )
    return CloudFrontError(f"CloudFront refused {action} on {subject}{detail}", code)


def from_botocore_error(error: Exception, operation: str, context: dict[str, str | None]) -> CloudFrontError:
    """Map a botocore error that carries no AWS answer (network, credentials, parameters)."""
    action = f"cloudfront:{operation}"
    subject = describe_subject(context)
    if botocore_exceptions is not None:
        if isinstance(error, (botocore_exceptions.NoCredentialsError, botocore_exceptions.PartialCredentialsError)):
            return CloudFrontError(
                f"No usable AWS credentials were found to call {action} on {subject}: set access_key/secret_key,"
                " a profile, or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables",
            )
        if isinstance(error, (botocore_exceptions.ConnectTimeoutError, botocore_exceptions.ReadTimeoutError)):
            return TransientCloudFrontError(
                f"CloudFront did not answer {action} on {subject} in time: {error}", cause="timed out"
            )
        if isinstance(error, botocore_exceptions.SSLError):
            return CloudFrontError(
                f"TLS failed while calling {action} on {subject}: {error}."
                " Check aws_ca_bundle, validate_certs and endpoint_url",
            )
        if isinstance(error, (botocore_exceptions.ConnectionError, botocore_exceptions.HTTPClientError)):
            return TransientCloudFrontError(
                f"Could not reach CloudFront for {action} on {subject}: {error}", cause="unreachable"
            )
    return CloudFrontError(f"Could not call {action} on {subject}: {error}")


@contextmanager
def translated_errors(operation: str, **context: str | None) -> Iterator[None]:
    """Run an SDK call; turn whatever the SDK raises into a :class:`CloudFrontError`."""
    if botocore_exceptions is None:
        yield
        return
    try:
        yield
    except botocore_exceptions.ClientError as e:
        raise from_client_error(e, operation, context) from e
    except botocore_exceptions.BotoCoreError as e:
        raise from_botocore_error(e, operation, context) from e
