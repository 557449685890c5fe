"""What AWS checks of every request, as dispatch hooks: its SigV4 signature, with a registered access
key and its secret key (and session token), and a temporary key's session token."""

from __future__ import annotations

import io
import re
import threading
from wsgiref.types import WSGIApplication, WSGIEnvironment

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.wsgi import LimitedStream

from .faults import error_app
from .request_log import RequestRecord

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[^,]+),\s*Signature=(?P<signature>[0-9a-f]+)"
)


def _header(environ: WSGIEnvironment, name: str) -> str | None:
    key = name.upper().replace("-", "_")
    value = environ.get(key) if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else environ.get(f"HTTP_{key}")
    return None if value is None else str(value)


def expected_signature(environ: WSGIEnvironment, body: bytes, secret: str, token: str | None) -> str | None:
    """The SigV4 signature of the request, as botocore makes it with this secret (None: not signed
    with SigV4). The request is rebuilt from what was signed: method, path, query, the signed
    headers and the body."""
    match = _AUTHORIZATION.match(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    signed = match["headers"].split(";")
    headers = {name: _header(environ, name) or "" for name in signed}
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}{raw_uri}"
    request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url=url, headers=headers, data=body)
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(match["key"], secret, token), match["service"], match["region"])
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


class SignatureCheck:
    """Dispatch hook: every request must be signed (SigV4) with a registered access key and its
    secret key, and carry the key's session token when one was registered, as AWS checks:
    ``MissingAuthenticationToken`` (403) for an unsigned request, ``InvalidClientTokenId`` (403)
    for a key AWS does not know or a missing token, ``SignatureDoesNotMatch`` (403) for another
    secret."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, str | None]] = {}

    def register(self, access_key_id: str, secret: str, token: str | None = None) -> None:
        with self._lock:
            self._keys[access_key_id] = (secret, token)

    def forget(self) -> None:
        with self._lock:
            self._keys.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        match = _AUTHORIZATION.match(environ.get("HTTP_AUTHORIZATION", ""))
        if not match:
            return error_app(403, "MissingAuthenticationToken", "Missing Authentication Token")
        with self._lock:
            known = self._keys.get(match["key"])
        if known is None:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        secret, token = known
        if token is not None and environ.get("HTTP_X_AMZ_SECURITY_TOKEN") != token:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        stream = environ["wsgi.input"]
        body = stream.read()
        environ["wsgi.input"] = LimitedStream(io.BytesIO(body), len(body))
        if expected_signature(environ, body, secret, token) != match["signature"]:
            return error_app(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your"
                " AWS Secret Access Key and signing method.",
            )
        return None


class TemporaryKeyCheck:
    """Dispatch hook: refuse a temporary access key (``ASIA...``) that comes without its session
    token, as AWS does (InvalidClientTokenId, 403)."""

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        if (record.access_key_id or "").startswith("ASIA") and not record.session_token:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        return None
