"""A local CloudFront endpoint for tests and the demo, built on moto's server.

moto is patched (``patch_moto()``, applied at import) where it differs from CloudFront
in the places the collection depends on:

* invalidations are born ``InProgress`` and become ``Completed`` after a delay
  (server-wide default, overridable per invalidation);
* ListInvalidations lists newest first and pages with ``MaxItems``/``Marker``;
  ListDistributions pages too (creation order);
* ListInvalidations on an unknown distribution answers ``NoSuchDistribution`` (404);
* CreateInvalidation is idempotent on ``CallerReference`` (same paths: the existing
  invalidation; other paths: ``InvalidationBatchAlreadyExists``);
* ``CreateTime`` is a UTC timestamp with millisecond precision.

The WSGI middleware in front of moto logs every AWS request (except the set-up calls
of ``create_distribution``/``create_invalidation``), serves a JSON control
API under ``/_local_cloudfront/`` and offers ``dispatch_hooks``: the seam where fault
injection (throttling, 5xx, stalls, resets) will plug in.

moto keeps its state in process-global backends, so the CloudFront state and the
default delay are process-wide: run one ``LocalCloudFront`` per process.

CLI: ``python local_cloudfront.py [--host H] [--port P] [--delay S] [--verbose]`` prints
its URL on one line, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import re
import signal
import sys
import threading
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, Protocol
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import boto3
import botocore.session
from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution
from moto.cloudfront.models import CloudFrontBackend, Distribution, Invalidation, cloudfront_backends
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

DEFAULT_DELAY = 5.0
CONTROL_PREFIX = "/_local_cloudfront/"
REGION = "us-east-1"
# Dummy credentials. The secret never reaches the request log (only the key id does).
DUMMY_ACCESS_KEY_ID = "AKIALOCALCLOUDFRONT"
DUMMY_SECRET_ACCESS_KEY = "local-cloudfront-dummy-secret"
# create_distribution()/create_invalidation() sign with this key id; the request log and
# the dispatch hooks ignore it, so a test sees only the calls of the code under test.
SETUP_ACCESS_KEY_ID = "AKIALOCALSETUP"

# --------------------------------------------------------------------------------------
# moto patches
# --------------------------------------------------------------------------------------


class InvalidArgument(CloudFrontException):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidArgument", message)


class InvalidationBatchAlreadyExists(CloudFrontException):
    def __init__(self, caller_reference: str) -> None:
        super().__init__(
            "InvalidationBatchAlreadyExists",
            f"CallerReference {caller_reference} was used before with different paths.",
        )


class DelaySettings:
    """Process-wide default delay before a new invalidation is ``Completed``."""

    def __init__(self, default_delay: float) -> None:
        self._lock = threading.Lock()
        self._default_delay = default_delay

    @property
    def default_delay(self) -> float:
        with self._lock:
            return self._default_delay

    @default_delay.setter
    def default_delay(self, seconds: float) -> None:
        with self._lock:
            self._default_delay = seconds


# The settings live on moto's class, so that two imports of this file (as a script and
# as a module) still share one set.
_SETTINGS_ATTR = "_local_cloudfront_settings"


def delay_settings() -> DelaySettings:
    patch_moto()
    settings: DelaySettings = getattr(Invalidation, _SETTINGS_ATTR)
    return settings


def _utc_from_epoch(seconds: float) -> datetime.datetime:
    """A UTC datetime truncated to milliseconds, as CloudFront reports times."""
    stamp = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


def completion_time(invalidation: Invalidation) -> float:
    """Wall time (time.time()) at which the invalidation is Completed."""
    when: float = vars(invalidation).get("complete_at", 0.0)
    return when


def set_completion_time(invalidation: Invalidation, when: float) -> None:
    vars(invalidation)["complete_at"] = when


def _status_get(self: Invalidation) -> str:
    return "Completed" if time.time() >= completion_time(self) else "InProgress"


def _status_set(self: Invalidation, value: str) -> None:
    # moto's __init__ assigns "COMPLETED"; any assignment moves the completion time.
    if value.lower() == "completed":
        set_completion_time(self, time.time())
    elif value.lower() == "inprogress":
        set_completion_time(self, math.inf)
    else:
        raise ValueError(f"not an invalidation status: {value!r}")


def _wrap_invalidation_init(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: Invalidation, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        now = time.time()
        self.create_time = _utc_from_epoch(now)
        set_completion_time(self, now + delay_settings().default_delay)

    return __init__


def _backend_list_invalidations(self: CloudFrontBackend, dist_id: str) -> list[Invalidation]:
    """Newest first, and NoSuchDistribution for an unknown distribution."""
    if dist_id not in self.distributions:
        raise NoSuchDistribution
    return list(reversed(self.invalidations.get(dist_id, [])))


def _wrap_backend_create_invalidation(original: Callable[..., Invalidation]) -> Callable[..., Invalidation]:
    @functools.wraps(original)
    def create_invalidation(self: CloudFrontBackend, dist_id: str, paths: list[str], caller_ref: str) -> Invalidation:
        for existing in self.invalidations.get(dist_id, []):
            if existing.caller_ref != caller_ref:
                continue
            if list(existing.paths) != list(paths):
                raise InvalidationBatchAlreadyExists(caller_ref)
            return existing
        return original(self, dist_id, paths, caller_ref)

    return create_invalidation


def _max_items(raw: str | int | None) -> int:
    if raw in (None, ""):
        return 100
    try:
        value = int(raw)
    except ValueError:
        raise InvalidArgument(f"MaxItems must be an integer, not {raw!r}.") from None
    if value < 1:
        raise InvalidArgument(f"MaxItems must be at least 1, not {value}.")
    return value


@dataclass(frozen=True)
class Page:
    items: list[Any]
    marker: str
    max_items: int
    next_marker: str | None

    def as_list(self) -> dict[str, Any]:
        return {
            "Marker": self.marker,
            "NextMarker": self.next_marker,
            "MaxItems": self.max_items,
            "IsTruncated": self.next_marker is not None,
            "Quantity": len(self.items),
            "Items": self.items or None,
        }


def paginate(items: Sequence[Any], marker: str, max_items: int) -> Page:
    """CloudFront paging: Marker is the id of the last item of the previous page."""
    ids = [item.id for item in items]
    start = 0
    if marker:
        if marker not in ids:
            raise InvalidArgument(f"Marker {marker} does not match any item of this list.")
        start = ids.index(marker) + 1
    page = list(items[start : start + max_items])
    truncated = start + max_items < len(items)
    return Page(page, marker, max_items, page[-1].id if truncated else None)


def _page_from_request(response: CloudFrontResponse, items: Sequence[Any]) -> Page:
    marker = response._get_param("Marker") or ""
    return paginate(items, marker, _max_items(response._get_param("MaxItems")))


def _response_list_invalidations(self: CloudFrontResponse) -> ActionResult:
    invalidations = self.backend.list_invalidations(self._get_param("DistributionId"))
    return ActionResult({"InvalidationList": _page_from_request(self, invalidations).as_list()})


def _response_list_distributions(self: CloudFrontResponse) -> ActionResult:
    distributions = self.backend.list_distributions()
    return ActionResult({"DistributionList": _page_from_request(self, distributions).as_list()})


_SUMMARY_FROM_CONFIG = (("aliases", "Aliases"), ("comment", "Comment"), ("enabled", "Enabled"),
                        ("price_class", "PriceClass"), ("http_version", "HttpVersion"))


def _config_value(distribution: Distribution, key: str) -> Any:
    return getattr(distribution.distribution_config, key, None)


_patch_lock = threading.Lock()


def patch_moto() -> None:
    """Make moto's CloudFront behave like CloudFront (idempotent)."""
    with _patch_lock:
        if _SETTINGS_ATTR in Invalidation.__dict__:
            return
        Invalidation.__init__ = _wrap_invalidation_init(Invalidation.__init__)  # type: ignore[method-assign]
        Invalidation.status = property(_status_get, _status_set)  # type: ignore[assignment]
        CloudFrontBackend.list_invalidations = _backend_list_invalidations  # type: ignore[method-assign]
        CloudFrontBackend.create_invalidation = _wrap_backend_create_invalidation(  # type: ignore[method-assign]
            CloudFrontBackend.create_invalidation
        )
        CloudFrontResponse.list_invalidations = _response_list_invalidations  # type: ignore[method-assign]
        CloudFrontResponse.list_distributions = _response_list_distributions  # type: ignore[method-assign]
        # CloudFront's DistributionSummary carries these; moto keeps them only in the config.
        for attribute, key in _SUMMARY_FROM_CONFIG:
            setattr(Distribution, attribute, property(functools.partial(_config_value, key=key)))
        # Real CloudFront has this error; botocore's model does not, and moto warns.
        warnings.filterwarnings("ignore", message=r"Exception\(InvalidationBatchAlreadyExists\)", category=UserWarning)
        setattr(Invalidation, _SETTINGS_ATTR, DelaySettings(DEFAULT_DELAY))


patch_moto()


def _backends() -> Iterable[CloudFrontBackend]:
    for account in list(cloudfront_backends.values()):
        yield from list(account.values())


def reset_moto_cloudfront() -> None:
    for account in list(cloudfront_backends.values()):
        account.reset()


class UnknownInvalidation(LookupError):
    def __init__(self, invalidation_id: str) -> None:
        super().__init__(f"invalidation {invalidation_id} does not exist")
        self.invalidation_id = invalidation_id


def find_invalidation(invalidation_id: str) -> Invalidation:
    for backend in _backends():
        for invalidations in backend.invalidations.values():
            for invalidation in invalidations:
                if invalidation.id == invalidation_id:
                    return invalidation
    raise UnknownInvalidation(invalidation_id)


# --------------------------------------------------------------------------------------
# Naming requests: CloudFront operation from method + path, access key id
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Request log
# --------------------------------------------------------------------------------------


@dataclass
class RequestRecord:
    time: float
    method: str
    path: str
    operation: str | None
    access_key_id: str | None
    status: int | None = None  # None while the request is in flight

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment) -> RequestRecord:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        return cls(
            time=time.time(),
            method=method,
            path=path,
            operation=operation_name(method, path, environ.get("QUERY_STRING", "")),
            access_key_id=access_key_id(environ),
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

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self._records if operation is None or r.operation == operation]

    def clear(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
            return count


# --------------------------------------------------------------------------------------
# Controller: what the Python API and the HTTP control API both do
# --------------------------------------------------------------------------------------


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _seconds(payload: dict[str, Any], key: str) -> float:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ControlError(400, f"{key} must be a finite number of seconds >= 0, not {value!r}")
    return float(value)


class Controller:
    def __init__(self, default_delay: float) -> None:
        self.initial_delay = default_delay
        self.log = RequestLog()
        self.errors = ErrorAnswers()

    def reset(self) -> None:
        reset_moto_cloudfront()
        self.log.clear()
        self.errors.clear()
        delay_settings().default_delay = self.initial_delay

    def set_default_delay(self, seconds: float) -> None:
        delay_settings().default_delay = seconds

    def complete_in(self, invalidation_id: str, seconds: float) -> Invalidation:
        invalidation = find_invalidation(invalidation_id)
        set_completion_time(invalidation, time.time() + seconds)
        return invalidation

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "default_delay": delay_settings().default_delay}


# --------------------------------------------------------------------------------------
# HTTP control API under /_local_cloudfront/
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlRequest:
    method: str
    path: str  # below CONTROL_PREFIX, e.g. "requests" or "invalidations/I2EXAMPLE"
    query: dict[str, list[str]]
    body: dict[str, Any]


ControlHandler = Callable[[ControlRequest], dict[str, Any]]


def _read_json(environ: WSGIEnvironment) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ControlError(400, "bad Content-Length") from None
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ControlError(400, f"body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


class ControlAPI:
    """JSON in, JSON out. New routes (faults, ...) go into ``routes``."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.routes: dict[tuple[str, str], ControlHandler] = {
            ("GET", "health"): lambda request: controller.health(),
            ("GET", "requests"): self._requests,
            ("DELETE", "requests"): lambda request: {"cleared": controller.log.clear()},
            ("POST", "reset"): self._reset,
            ("POST", "config"): self._config,
        }
        self.prefix_routes: dict[tuple[str, str], ControlHandler] = {
            ("POST", "invalidations/"): self._complete_in,
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            request = ControlRequest(
                method=environ.get("REQUEST_METHOD", "GET"),
                path=environ.get("PATH_INFO", "")[len(CONTROL_PREFIX) :].strip("/"),
                query=urllib.parse.parse_qs(environ.get("QUERY_STRING", "")),
                body=_read_json(environ),
            )
            status, payload = 200, self._handler(request)(request)
        except ControlError as error:
            status, payload = error.status, {"error": error.message}
        return _json_response(start_response, status, payload)

    def _handler(self, request: ControlRequest) -> ControlHandler:
        handler = self.routes.get((request.method, request.path))
        if handler is not None:
            return handler
        for (method, prefix), prefix_handler in self.prefix_routes.items():
            if request.method == method and request.path.startswith(prefix):
                return prefix_handler
        known = {route[1] for route in self.routes} | {route[1] for route in self.prefix_routes}
        if request.path in known or any(request.path.startswith(p) for p in known if p.endswith("/")):
            raise ControlError(405, f"{request.method} is not allowed on {request.path}")
        raise ControlError(404, f"no control endpoint {request.path!r}")

    def _requests(self, request: ControlRequest) -> dict[str, Any]:
        operation = request.query.get("operation", [None])[0]
        return {"requests": self.controller.log.entries(operation)}

    def _reset(self, request: ControlRequest) -> dict[str, Any]:
        self.controller.reset()
        return self.controller.health()

    def _config(self, request: ControlRequest) -> dict[str, Any]:
        self.controller.set_default_delay(_seconds(request.body, "default_delay"))
        return self.controller.health()

    def _complete_in(self, request: ControlRequest) -> dict[str, Any]:
        invalidation_id = request.path.split("/", 1)[1]
        seconds = _seconds(request.body, "complete_in")
        try:
            invalidation = self.controller.complete_in(invalidation_id, seconds)
        except UnknownInvalidation as error:
            raise ControlError(404, str(error)) from None
        return {"id": invalidation.id, "status": invalidation.status, "complete_at": completion_time(invalidation)}


def _json_response(start_response: StartResponse, status: int, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(f"{status} {reason}", headers)
    return [body]


# --------------------------------------------------------------------------------------
# Middleware: log AWS requests, run dispatch hooks, serve the control API
# --------------------------------------------------------------------------------------


class DispatchHook(Protocol):
    """Called before each AWS request is dispatched to moto.

    Return a WSGI application to answer the request instead of moto (e.g. a canned
    Throttling 400 or a 503), or None to let moto answer. A hook may also sleep (stall)
    or raise. This is the seam for fault injection.
    """

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None: ...


def error_app(status: int, code: str, message: str) -> WSGIApplication:
    """A WSGI app answering with a CloudFront error document."""
    body = (
        '<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        f"<Error><Type>{'Sender' if status < 500 else 'Receiver'}</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
        start_response(f"{status} {reason.get(status, 'Error')}", headers)
        return [body]

    return app


class ErrorAnswers:
    """Dispatch hook: answer chosen operations with an AWS error instead of moto (until reset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[WSGIApplication, int | None]] = {}

    def set(self, operation: str, status: int, code: str, message: str, count: int | None = None) -> None:
        """Answer ``operation`` with the error ``count`` times (None: until cleared)."""
        with self._lock:
            self._rules[operation] = (error_app(status, code, message), count)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        operation = record.operation or ""
        with self._lock:
            rule = self._rules.get(operation)
            if rule is None:
                return None
            app, count = rule
            if count is not None:
                if count <= 1:
                    del self._rules[operation]
                else:
                    self._rules[operation] = (app, count - 1)
            return app


@dataclass
class LocalCloudFrontMiddleware:
    backend: WSGIApplication
    control: WSGIApplication
    log: RequestLog
    dispatch_hooks: list[DispatchHook] = field(default_factory=list)
    # Set-up traffic (the helpers' key id) goes straight to moto: it is neither logged
    # nor subject to dispatch hooks, so a test sees only the calls of the code under test.
    setup_access_key_id: str = SETUP_ACCESS_KEY_ID

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self.control(environ, start_response)
        if access_key_id(environ) == self.setup_access_key_id:
            return self.backend(environ, start_response)
        record = RequestRecord.from_environ(environ)
        self.log.add(record)

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            self.log.set_status(record, int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        try:
            return self._choose_app(record, environ)(environ, recording_start_response)
        except BaseException:  # recorded, then re-raised: werkzeug answers 500 or drops the connection
            self.log.set_status(record, 500)
            raise

    def _choose_app(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication:
        for hook in self.dispatch_hooks:
            replacement = hook(record, environ)
            if replacement is not None:
                return replacement
        return self.backend


# --------------------------------------------------------------------------------------
# Server and Python API
# --------------------------------------------------------------------------------------


class QuietRequestHandler(WSGIRequestHandler):
    """No per-request access log; errors are still reported."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def distribution_config(aliases: Sequence[str], comment: str) -> dict[str, Any]:
    origin_id = "local-s3-origin"
    return {
        "CallerReference": f"local-cloudfront-{uuid.uuid4()}",
        "Comment": comment,
        "Enabled": True,
        "Aliases": {"Quantity": len(aliases), "Items": list(aliases)},
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": origin_id,
                    "DomainName": "local-origin.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": origin_id,
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }


class LocalCloudFront:
    """moto's CloudFront over real HTTP on loopback, behaving like CloudFront."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        default_delay: float = DEFAULT_DELAY,
        verbose: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """``tls``: (certificate file, key file) to serve HTTPS instead of HTTP."""
        self.tls = tls
        self.host = host
        self.port = port
        self.url = ""
        self.verbose = verbose
        self.controller = Controller(default_delay)
        self.middleware = LocalCloudFrontMiddleware(
            backend=DomainDispatcherApplication(create_backend_app),
            control=ControlAPI(self.controller),
            log=self.controller.log,
            dispatch_hooks=[self.controller.errors],
        )
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._setup_client: Any = None

    def start(self) -> LocalCloudFront:
        if self._server is not None:
            raise RuntimeError(f"LocalCloudFront already serving at {self.url}")
        self.controller.set_default_delay(self.controller.initial_delay)
        handler = WSGIRequestHandler if self.verbose else QuietRequestHandler
        self._server = make_server(
            self.host, self.port, self.middleware, threaded=True, request_handler=handler, ssl_context=self.tls
        )
        host, port = self._server.socket.getsockname()[:2]
        self.port = int(port)
        self.url = f"{'https' if self.tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-cloudfront", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None
        self._setup_client = None

    def __enter__(self) -> LocalCloudFront:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- steering (in process; the control API does the same over HTTP) --

    def reset(self) -> None:
        self.controller.reset()

    def set_default_delay(self, seconds: float) -> None:
        self.controller.set_default_delay(seconds)

    def complete_in(self, invalidation_id: str, seconds: float) -> None:
        """Complete the invalidation ``seconds`` from now (0: now). UnknownInvalidation if absent."""
        self.controller.complete_in(invalidation_id, seconds)

    def deny(self, operation: str, code: str = "AccessDenied", status: int = 403) -> None:
        """Answer every ``operation`` request with an error (default: AccessDenied) until reset."""
        self.controller.errors.set(operation, status, code, f"User is not authorized to perform: cloudfront:{operation}")

    def throttle(self, operation: str, count: int) -> None:
        """Answer the next ``count`` ``operation`` requests as CloudFront does when throttling."""
        self.controller.errors.set(operation, 400, "Throttling", "Rate exceeded", count)

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        return self.controller.log.entries(operation)

    def clear_requests(self) -> None:
        self.controller.log.clear()

    # -- AWS side, through the HTTP endpoint --

    def client(self, access_key_id: str = DUMMY_ACCESS_KEY_ID) -> Any:
        if not self.url:
            raise RuntimeError("LocalCloudFront is not started")
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY, region_name=REGION
        )
        return session.client("cloudfront", endpoint_url=self.url, verify=self.tls[0] if self.tls else None)

    def _setup(self) -> Any:
        """The client of the set-up helpers (one per start(); making clients is slow)."""
        if self._setup_client is None:
            self._setup_client = self.client(SETUP_ACCESS_KEY_ID)
        return self._setup_client

    def create_distribution(self, aliases: Sequence[str] = (), comment: str = "") -> dict[str, Any]:
        config = distribution_config(aliases, comment)
        distribution = self._setup().create_distribution(DistributionConfig=config)["Distribution"]
        return {
            "id": distribution["Id"],
            "domain_name": distribution["DomainName"],
            "aliases": list(distribution["DistributionConfig"]["Aliases"].get("Items", [])),
        }

    def create_invalidation(
        self,
        distribution_id: str,
        paths: Sequence[str] = ("/*",),
        caller_reference: str | None = None,
        complete_in: float | None = None,
    ) -> str:
        batch = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": caller_reference or f"local-cloudfront-{uuid.uuid4()}",
        }
        invalidation_id: str = self._setup().create_invalidation(
            DistributionId=distribution_id, InvalidationBatch=batch
        )["Invalidation"]["Id"]
        if complete_in is not None:
            self.complete_in(invalidation_id, complete_in)
        return invalidation_id


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a local CloudFront endpoint (moto, patched).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY, help="seconds until Completed")
    parser.add_argument("--verbose", action="store_true", help="log each request (werkzeug)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server = LocalCloudFront(args.host, args.port, args.delay, verbose=args.verbose).start()
    try:
        print(server.url, flush=True)
        stopping.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
