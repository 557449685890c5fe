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
# CloudFront's refusal of a create while too many invalidations are in progress: waited out (create.py).
TOO_MANY_IN_PROGRESS = "TooManyInvalidationsInProgress"
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
    """A failure to report to the user: ``msg`` says what went wrong and names the thing.

    ``code``: the AWS error code; ``request_id``: the ID AWS gave its answer (the first thing AWS
    Support asks for), when AWS answered.
    """

    def __init__(self, msg: str, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.request_id = request_id
        # something was changed before the failure (the creating module: some tenants' invalidations)
        self.changed = False

    def facts(self) -> dict[str, str]:
        """The keys a failed module run returns besides ``msg``: ``error_code``, ``request_id``."""
        facts = {"error_code": self.code, "request_id": self.request_id}
        return {key: value for key, value in facts.items() if value}


class TransientCloudFrontError(CloudFrontError, TransientError):
    """A failure worth retrying later: throttling, a 5xx answer, an unreachable endpoint, a
    dropped connection or TLS session, credentials being refreshed.

    ``cause`` is a short word for the kind of trouble (``throttled``, ``server error``,
    ``unreachable``, ``timed out``, ``TLS dropped``, ``credentials``) used when a retry or a
    wait finally gives up.
    """

    def __init__(self, msg: str, cause: str, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(msg, code, request_id)
        self.cause = cause
        self.throttled = cause == "throttled"


def describe_owner(context: dict[str, str | None]) -> str | None:
    """'distribution E2QW' or 'distribution tenant dt_2wjD' (None: neither)."""
    if context.get("distribution_tenant_id"):
        return f"distribution tenant {context['distribution_tenant_id']}"
    if context.get("distribution_id"):
        return f"distribution {context['distribution_id']}"
    return None


def describe_subject(context: dict[str, str | None]) -> str:
    """'invalidation I2J0 of CloudFront distribution E2QW', 'CloudFront distribution E2QW' (or
    distribution tenant), or 'CloudFront'."""
    owner = describe_owner(context)
    invalidation_id = context.get("invalidation_id")
    if invalidation_id and owner:
        return f"invalidation {invalidation_id} of CloudFront {owner}"
    if owner:
        return f"CloudFront {owner}"
    return "CloudFront"


def _http_status(response: _ClientErrorResponseTypeDef) -> int:
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status if isinstance(status, int) else 0


def _request_id(response: _ClientErrorResponseTypeDef) -> str | None:
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    return str(request_id) if request_id else None


def from_client_error(error: ClientError, operation: str, context: dict[str, str | None]) -> CloudFrontError:
    """Map a botocore ``ClientError`` from ``operation`` (e.g. ``GetInvalidation``) to our error."""
    response = cast("_ClientErrorResponseTypeDef", getattr(error, "response", {}) or {})
    code = str(response.get("Error", {}).get("Code", "Unknown"))
    message = str(response.get("Error", {}).get("Message", "") or "").strip()
    status = _http_status(response)
    request_id = _request_id(response)
    action = f"cloudfront:{operation}"
    subject = describe_subject(context)
    detail = f" ({code}: {message})" if message else f" ({code})"
    # the request ID, for AWS Support, at the end of every message about an answer of AWS
    support = f" [AWS request ID {request_id}]" if request_id else ""

    def final(msg: str) -> CloudFrontError:
        return CloudFrontError(msg + support, code, request_id)

    def transient(msg: str, cause: str) -> TransientCloudFrontError:
        return TransientCloudFrontError(msg + support, cause=cause, code=code, request_id=request_id)

    if code == "NoSuchDistribution":
        return final(f"CloudFront distribution {context.get('distribution_id')} does not exist")
    if code == "NoSuchInvalidation":
        return final(
            f"CloudFront invalidation {context.get('invalidation_id')} does not exist in {describe_owner(context)}"
        )
    if code == "EntityNotFound" and context.get("distribution_tenant_id"):
        return final(f"CloudFront distribution tenant {context['distribution_tenant_id']} does not exist")
    if code in ACCESS_DENIED_CODES:
        # With a least-privilege policy (docs/iam.md), a distribution of another account, or an ID
        # that is wrong, is denied too: CloudFront checks the permission before the distribution.
        checks = f"the IAM policy of the user or role running this task (allow {action})"
        owner_id = context.get("distribution_tenant_id") or context.get("distribution_id")
        if owner_id:
            kind = "distribution tenant ID" if context.get("distribution_tenant_id") else "distribution ID"
            checks += f", or the {kind} {owner_id}: a wrong one, or one of another AWS account, is denied the same way"
        return final(
            f"Access denied: the AWS credentials in use may not call {action} on {subject}. Check {checks}{detail}"
        )
    if code in EXPIRED_CREDENTIAL_CODES:
        return final(
            f"The AWS credentials have expired ({code}) while calling {action} on {subject}."
            " Refresh the session token (or the AWX AWS credential) and run the task again"
        )
    if code in REJECTED_CREDENTIAL_CODES:
        return final(
            f"AWS rejected the credentials ({code}) while calling {action} on {subject}."
            " Check the access key, secret key, session token or profile in use"
        )
    if code in THROTTLING_CODES or status == 429:
        return transient(f"CloudFront throttled {action} on {subject}{detail}", "throttled")
    if code in SERVER_ERROR_CODES or status >= 500:
        return transient(
            f"CloudFront answered {action} on {subject} with a server error (HTTP {status}){detail}", "server error"
        )
    return final(f"CloudFront refused {action} on {subject}{detail}")


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
            if not is_lasting_tls_failure(error):
                return TransientCloudFrontError(
                    f"The TLS connection to CloudFront dropped during {action} on {subject}: {error}",
                    cause="TLS dropped",
                )
            return CloudFrontError(
                f"TLS failed while calling {action} on {subject}: {error}."
                " Check aws_ca_bundle, validate_certs and endpoint_url",
            )
        if isinstance(error, botocore_exceptions.CredentialRetrievalError):
            return TransientCloudFrontError(
                f"Could not get the AWS credentials (from the instance, container or process that provides"
                f" them) for {action} on {subject}: {error}",
                cause="credentials",
            )
        if isinstance(error, (botocore_exceptions.ConnectionError, botocore_exceptions.HTTPClientError)):
            return TransientCloudFrontError(
                f"Could not reach CloudFront for {action} on {subject}: {error}", cause="unreachable"
            )
    return CloudFrontError(f"Could not call {action} on {subject}: {error}")


# What makes a TLS failure lasting: the certificate, the host name or the protocol spoken at the
# other end, none of which a second try changes. Anything else (an EOF in the middle of the
# handshake, a reset, a bad record: proxies and NAT idle timeouts) is a connection that dropped.
LASTING_TLS_FAILURES = (
    "certificate verify failed",
    "certificate_verify_failed",
    "hostname mismatch",
    "doesn't match",
    "does not match",
    "ip address mismatch",
    "wrong_version_number",
    "wrong version number",
    "unsupported protocol",
    "no protocols available",
    "sslv3_alert_handshake_failure",
    "tlsv1_alert_protocol_version",
    "unknown ca",
    "self signed certificate",
    "self-signed certificate",
    "certificate has expired",
)


def is_lasting_tls_failure(error: Exception) -> bool:
    """Whether a TLS error will happen again (certificate, host name, protocol), as opposed to a
    TLS connection that dropped."""
    text = str(error).lower()
    return any(words in text for words in LASTING_TLS_FAILURES)


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
