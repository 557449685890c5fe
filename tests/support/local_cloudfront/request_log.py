"""Naming the requests the endpoint serves (the CloudFront operation, from botocore's model of the
API; the access key id, the service signed for, a session token: never a secret) and the log of
them, in order of arrival."""

from __future__ import annotations

import functools
import re
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from wsgiref.types import WSGIEnvironment

import botocore.session
from moto.cloudfront.responses import CloudFrontResponse

# create_distribution()/create_invalidation() sign with this key id; the request log and
# the dispatch hooks ignore it, so a test sees only the calls of the code under test.
SETUP_ACCESS_KEY_ID = "AKIALOCALSETUP"
# Status logged for a request that got no HTTP answer (its connection was reset).
NO_ANSWER = 0


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    segments: tuple[str | None, ...]  # None: a {placeholder}
    query: tuple[tuple[str, str], ...]  # literal query keys (value "" = any)

    def matches(self, method: str, segments: Sequence[str], query: dict[str, list[str]]) -> bool:
        if method != self.method or len(segments) != len(self.segments):
            return False
        if any(want is not None and want != got for want, got in zip(self.segments, segments, strict=True)):
            return False
        return all(key in query and (not value or value in query[key]) for key, value in self.query)

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.query), sum(segment is not None for segment in self.segments)


def _route(operation: str, method: str, request_uri: str) -> _Route:
    path, query = (request_uri.split("?", 1) + [""])[:2]
    segments = tuple(None if re.fullmatch(r"\{[^}]+\}", part) else part for part in path.strip("/").split("/"))
    return _Route(operation, method, segments, tuple(urllib.parse.parse_qsl(query, keep_blank_values=True)))


@functools.cache
def _routes() -> tuple[_Route, ...]:
    model = botocore.session.get_session().get_service_model("cloudfront")
    http = {name: model.operation_model(name).http for name in model.operation_names}
    return tuple(_route(name, spec["method"], spec["requestUri"]) for name, spec in http.items())


def is_operation(name: str) -> bool:
    """Whether ``name`` is a CloudFront operation of botocore's model."""
    return any(route.operation == name for route in _routes())


def operation_name(method: str, path: str, query_string: str = "") -> str | None:
    """The CloudFront operation a request is for, from botocore's model of the API."""
    segments = path.strip("/").split("/")
    query = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    candidates = [route for route in _routes() if route.matches(method, segments, query)]
    if not candidates:
        return None
    return max(candidates, key=lambda route: route.specificity).operation


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def access_key_id(environ: WSGIEnvironment) -> str | None:
    """The access key id of a SigV4 request: never the signature or a secret."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1)
    credential = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
    return credential[0].split("/", 1)[0] if credential else None


def is_setup_request(response: CloudFrontResponse) -> bool:
    """Whether the request comes from the set-up helpers (signed with SETUP_ACCESS_KEY_ID)."""
    match = _CREDENTIAL.search(str(response.headers.get("Authorization", "")))
    return bool(match and match.group(1) == SETUP_ACCESS_KEY_ID)


_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def signed_service(environ: WSGIEnvironment) -> str | None:
    """The service a SigV4 request was signed for, from its credential scope (None: unsigned)."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def has_session_token(environ: WSGIEnvironment) -> bool:
    """Whether a SigV4 request carries a session token (header, or query for presigned URLs)."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    return bool(environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or query.get("X-Amz-Security-Token"))


@dataclass
class RequestRecord:
    time: float
    method: str
    path: str
    operation: str | None
    access_key_id: str | None
    status: int | None = None  # None while the request is in flight; NO_ANSWER (0): connection reset
    # the client's port: requests of one kept-alive connection share it
    connection: int | None = None
    # whether the request carried a session token (never the token itself)
    session_token: bool = False
    # the query string (paging: MaxItems, Marker)
    query: str = ""
    # the AWS service the request was signed for (its credential scope): cloudfront, sts
    service: str | None = None
    # lose_answers(): the status of the answer that was made (the request carried out) and never sent
    # (status NO_ANSWER); None otherwise
    lost_answer: int | None = None
    # when the answer's status was set (time.time()): what the answer says (an invalidation's status) was
    # decided between `time` and then; None while in flight
    answered: float | None = None

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment) -> RequestRecord:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        port = environ.get("REMOTE_PORT")
        return cls(
            time=time.time(),
            method=method,
            path=path,
            operation=operation_name(method, path, environ.get("QUERY_STRING", "")),
            access_key_id=access_key_id(environ),
            connection=int(port) if port else None,
            session_token=has_session_token(environ),
            query=environ.get("QUERY_STRING", ""),
            service=signed_service(environ),
        )


class RequestLog:
    """Thread-safe log of the AWS requests served, in order of arrival."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def set_status(self, record: RequestRecord, status: int) -> None:
        with self._lock:
            record.status = status
            record.answered = time.time()

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self._records if operation is None or r.operation == operation]

    def clear(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
            return count
