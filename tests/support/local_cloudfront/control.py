"""What the Python API (``LocalCloudFront``) and the HTTP control API both do (``Controller``), and
the HTTP control API under ``/_local_cloudfront/`` (``ControlAPI``): JSON in, JSON out."""

from __future__ import annotations

import json
import math
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from moto.cloudfront.models import Invalidation

from .auth import SignatureCheck
from .faults import POLLED, ConnectionResets, ErrorAnswers, LostAnswers, RateLimits, Stalls, check_count
from .middleware import CONTROL_PREFIX
from .model import (
    DEFAULT_PATH_LIMIT,
    DEFAULT_WILDCARD_LIMIT,
    InvalidationLimits,
    UnknownInvalidation,
    completion_time,
    endpoint_settings,
    reset_moto_cloudfront,
    set_completion_time,
)
from .request_log import RequestLog, is_operation
from .server import Listener
from .tenants import find_invalidation


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


def _count(payload: dict[str, Any], key: str, default: int | None) -> int | None:
    value = payload.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ControlError(400, f"{key} must be an integer >= 1, not {value!r}")
    return value


def _operation(payload: dict[str, Any]) -> str:
    value = payload.get("operation")
    if not isinstance(value, str) or not is_operation(value):
        raise ControlError(400, f"operation must name a CloudFront operation (e.g. GetInvalidation), not {value!r}")
    return value


def _error_fault(payload: dict[str, Any]) -> dict[str, Any]:
    status, code = payload.get("status"), payload.get("code")
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ControlError(400, f"status must be an HTTP error status (400-599), not {status!r}")
    if not isinstance(code, str) or not code:
        raise ControlError(400, f"code must be an error code (e.g. ServiceUnavailable), not {code!r}")
    message = str(payload.get("message", code))
    return {
        "operation": _operation(payload),
        "status": status,
        "code": code,
        "message": message,
        "count": _count(payload, "count", None),
    }


class Controller:
    def __init__(self, default_delay: float) -> None:
        self.initial_delay = default_delay
        self.log = RequestLog()
        self.errors = ErrorAnswers()
        self.signatures = SignatureCheck()
        self.rate_limits = RateLimits()
        self.resets = ConnectionResets()
        self.losses = LostAnswers()
        self.stalls = Stalls()
        # The listening server, while started (set by LocalCloudFront): outages stop and restart it.
        self.listener: Listener | None = None

    def reset(self) -> None:
        reset_moto_cloudfront()
        self.log.clear()
        self.clear_faults()
        settings = endpoint_settings()
        settings.default_delay = self.initial_delay
        settings.clock_offset = 0.0
        settings.limits = InvalidationLimits()

    def clear_faults(self) -> None:
        """End every fault: errors, rate limits, resets, lost answers, stalls (those in progress are answered
        now), outage."""
        self.errors.clear()
        self.rate_limits.clear()
        self.resets.clear()
        self.losses.clear()
        self.stalls.clear()
        listener = self.listener
        if listener is not None:
            listener.up()

    def outage(self, seconds: float) -> None:
        if self.listener is None:
            raise RuntimeError("LocalCloudFront is not started")
        self.listener.outage(seconds)

    def set_default_delay(self, seconds: float) -> None:
        endpoint_settings().default_delay = seconds

    def set_clock_offset(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise ValueError(f"the clock offset must be a finite number of seconds, not {seconds!r}")
        endpoint_settings().clock_offset = float(seconds)

    def set_invalidation_limits(self, paths: int, wildcards: int) -> None:
        check_count(paths)
        check_count(wildcards)
        endpoint_settings().limits = InvalidationLimits(paths, wildcards)

    def complete_in(self, invalidation_id: str, seconds: float) -> Invalidation:
        invalidation = find_invalidation(invalidation_id)
        set_completion_time(invalidation, time.time() + seconds)
        return invalidation

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "default_delay": endpoint_settings().default_delay}

    def config(self) -> dict[str, Any]:
        """health(), with the clock offset and the invalidation limits."""
        settings = endpoint_settings()
        return {**self.health(), "clock_offset": settings.clock_offset, "invalidation_limits": asdict(settings.limits)}


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
            ("GET", "config"): lambda request: controller.config(),
            ("POST", "config"): self._config,
            ("POST", "faults"): self._fault,
            ("DELETE", "faults"): self._clear_faults,
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
        """Any of ``default_delay`` (seconds >= 0), ``clock_offset`` (seconds, either way) and
        ``invalidation_limits`` (``{"paths": 3000, "wildcards": 15}``, either may be left out: its
        default); answers with the whole configuration (``GET config``)."""
        body, known = request.body, {"default_delay", "clock_offset", "invalidation_limits"}
        if not body or set(body) - known:
            raise ControlError(400, f"config takes {', '.join(sorted(known))}; not {sorted(set(body) - known)!r}")
        delay = _seconds(body, "default_delay") if "default_delay" in body else None
        offset = body.get("clock_offset", 0.0)
        if isinstance(offset, bool) or not isinstance(offset, int | float) or not math.isfinite(offset):
            raise ControlError(400, f"clock_offset must be a finite number of seconds, not {offset!r}")
        limits = body.get("invalidation_limits", {})
        if not isinstance(limits, dict) or set(limits) - {"paths", "wildcards"}:
            raise ControlError(400, f'invalidation_limits must be {{"paths": N, "wildcards": N}}, not {limits!r}')
        paths = _count(limits, "paths", DEFAULT_PATH_LIMIT) or DEFAULT_PATH_LIMIT
        wildcards = _count(limits, "wildcards", DEFAULT_WILDCARD_LIMIT) or DEFAULT_WILDCARD_LIMIT
        if delay is not None:
            self.controller.set_default_delay(delay)
        if "clock_offset" in body:
            self.controller.set_clock_offset(offset)
        if "invalidation_limits" in body:
            self.controller.set_invalidation_limits(paths, wildcards)
        return self.controller.config()

    def _fault(self, request: ControlRequest) -> dict[str, Any]:
        """``{"kind": ...}``: reset (operation, count=1), lose (operation, count=1), stall (operation,
        seconds, count=1), outage (seconds), throttle (operation, count=1), error (operation, status,
        code, message=code, count=None: until cleared), rate (rate, burst=rate, operations=the polled
        ones, shared=false: until cleared). Answers with the fault as understood."""
        body, errors = request.body, self.controller.errors
        kind = body.get("kind")
        if kind == "outage":
            fault: dict[str, Any] = {"seconds": _seconds(body, "seconds")}
            self.controller.outage(fault["seconds"])
        elif kind == "reset":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            self.controller.resets.set(fault["operation"], fault["count"])
        elif kind == "lose":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            self.controller.losses.set(fault["operation"], fault["count"])
        elif kind == "stall":
            fault = {
                "operation": _operation(body),
                "count": _count(body, "count", 1),
                "seconds": _seconds(body, "seconds"),
            }
            self.controller.stalls.set(fault["operation"], fault["count"], fault["seconds"])
        elif kind == "throttle":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            errors.set(fault["operation"], 400, "Throttling", "Rate exceeded", fault["count"])
        elif kind == "rate":
            rate = _seconds(body, "rate")
            burst = _seconds(body, "burst") if "burst" in body else max(1.0, rate)
            operations = body.get("operations", list(POLLED))
            if not isinstance(operations, list) or not operations:
                raise ControlError(400, f"operations must be a list of CloudFront operations, not {operations!r}")
            fault = {"rate": rate, "burst": burst, "operations": [_operation({"operation": o}) for o in operations]}
            fault["shared"] = bool(body.get("shared", False))
            try:
                self.controller.rate_limits.set(rate, burst, fault["operations"], fault["shared"])
            except ValueError as error:
                raise ControlError(400, str(error)) from None
        elif kind == "error":
            fault = _error_fault(body)
            errors.set(fault["operation"], fault["status"], fault["code"], fault["message"], fault["count"])
        else:
            raise ControlError(
                400, f"kind must be one of reset, lose, stall, outage, throttle, error, rate; not {kind!r}"
            )
        return {"fault": {"kind": kind, **fault}}

    def _clear_faults(self, request: ControlRequest) -> dict[str, Any]:
        self.controller.clear_faults()
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
