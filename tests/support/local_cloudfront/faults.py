"""The faults, as dispatch hooks: functions the middleware calls before it hands an AWS request to
moto, which may answer it instead (an AWS error: ``ErrorAnswers``; the account's rate limits:
``RateLimits``), hold it (``Stalls``) or reset its connection, before the request is carried out
(``ConnectionResets``) or after (``LostAnswers``)."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from .bucket import TokenBucket
from .request_log import RequestRecord, is_operation

# The operations a wait makes (rate_limit's default).
POLLED = ("GetInvalidation", "ListInvalidations", "GetDistribution", "ListDistributions")


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


RuleT = TypeVar("RuleT")


class CountedRules(Generic[RuleT]):
    """Thread-safe rules per operation, each good for ``count`` requests (None: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[RuleT, int | None]] = {}

    def set(self, operation: str, rule: RuleT, count: int | None) -> None:
        """Replace the rule of ``operation`` (and its count)."""
        with self._lock:
            self._rules[operation] = (rule, count)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, operation: str | None) -> RuleT | None:
        """The rule for a request of ``operation``, counted as used; None if there is none."""
        key = operation or ""
        with self._lock:
            entry = self._rules.get(key)
            if entry is None:
                return None
            rule, count = entry
            if count is not None:
                if count <= 1:
                    del self._rules[key]
                else:
                    self._rules[key] = (rule, count - 1)
            return rule


def check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, not {count!r}")


def check_seconds(seconds: float) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")


def check_operation(operation: str) -> None:
    if not is_operation(operation):
        raise ValueError(f"not a CloudFront operation: {operation!r}")


class ErrorAnswers:
    """Dispatch hook: answer chosen operations with an AWS error instead of moto (until reset)."""

    def __init__(self) -> None:
        self._rules: CountedRules[WSGIApplication] = CountedRules()

    def set(self, operation: str, status: int, code: str, message: str, count: int | None = None) -> None:
        """Answer ``operation`` with the error ``count`` times (None: until cleared)."""
        self._rules.set(operation, error_app(status, code, message), count)

    def clear(self) -> None:
        self._rules.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        return self._rules.take(record.operation)


class ResetConnection(ConnectionError):
    """Raised by a dispatch hook: no HTTP answer, the connection is reset (RST) instead.

    A ``ConnectionError``, so that werkzeug hands it to ``connection_dropped()`` of the
    request handler (``FaultRequestHandler``), which aborts the connection."""


class ConnectionResets:
    """Dispatch hook: reset the connection of the next ``count`` requests of an operation."""

    def __init__(self) -> None:
        self._rules: CountedRules[str] = CountedRules()

    def set(self, operation: str, count: int) -> None:
        check_operation(operation)
        check_count(count)
        self._rules.set(operation, f"injected connection reset ({operation})", count)

    def clear(self) -> None:
        self._rules.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        reason = self._rules.take(record.operation)
        if reason is not None:
            raise ResetConnection(reason)
        return None


class LostAnswer(ResetConnection):
    """Raised once the request is carried out: its answer is lost (the connection is reset)."""


class LostAnswers:
    """Dispatch hook (``hook(backend)``): carry out the next ``count`` requests of an operation (the
    backend answers them) and then reset the connection instead of sending the answer, as when an
    answer is lost on the way back; the record's ``lost_answer`` is the status that was not sent."""

    def __init__(self) -> None:
        self._rules: CountedRules[str] = CountedRules()

    def set(self, operation: str, count: int) -> None:
        check_operation(operation)
        check_count(count)
        self._rules.set(operation, f"injected lost answer ({operation})", count)

    def clear(self) -> None:
        self._rules.clear()

    def hook(self, backend: WSGIApplication) -> DispatchHook:
        """The dispatch hook, carrying out the requests on ``backend``."""

        def lose(record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
            reason = self._rules.take(record.operation)
            return None if reason is None else self._carry_out_then_reset(backend, record, reason)

        return lose

    @staticmethod
    def _carry_out_then_reset(backend: WSGIApplication, record: RequestRecord, reason: str) -> WSGIApplication:
        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            statuses: list[int] = []

            def keep_status(
                status: str, headers: list[tuple[str, str]], exc_info: Any = None
            ) -> Callable[[bytes], Any]:
                statuses.append(int(status.split(" ", 1)[0]))
                return lambda data: None

            body = backend(environ, keep_status)
            try:
                for _chunk in body:
                    pass
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            record.lost_answer = statuses[-1] if statuses else None
            raise LostAnswer(reason)

        return app


class Stalls:
    """Dispatch hook: hold the next ``count`` requests of an operation ``seconds`` before
    they are answered (in their own server thread: other requests are served meanwhile).

    ``release()`` ends the stalls in progress at once (stop(), reset()); later stalls wait again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: CountedRules[float] = CountedRules()
        self._released = threading.Event()

    def set(self, operation: str, count: int, seconds: float) -> None:
        check_operation(operation)
        check_count(count)
        check_seconds(seconds)
        self._rules.set(operation, float(seconds), count)

    def release(self) -> None:
        with self._lock:
            self._release_locked()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._release_locked()

    def _release_locked(self) -> None:
        self._released.set()
        self._released = threading.Event()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        with self._lock:  # the rule and the event together: a release cannot fall in between
            seconds = self._rules.take(record.operation)
            released = self._released
        if seconds is not None:
            released.wait(seconds)
        return None


class RateLimits:
    """Dispatch hook: the account's rate limits, as AWS counts them (per operation, for every
    caller of the account alike): a token bucket per operation, or one shared by several; a
    request that finds its bucket empty is answered Throttling (400, "Rate exceeded")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def set(self, rate: float, burst: float, operations: Sequence[str], shared: bool = False) -> None:
        check_seconds(rate)
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, not {rate!r}, {burst!r}")
        for operation in operations:
            check_operation(operation)
        with self._lock:
            common = TokenBucket(rate, burst)
            for operation in operations:
                self._buckets[operation] = common if shared else TokenBucket(rate, burst)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def counts(self) -> dict[str, dict[str, int]]:
        """Per operation: the requests its bucket let through and those it refused."""
        with self._lock:
            return {op: {"taken": b.taken, "refused": b.refused} for op, b in self._buckets.items()}

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        with self._lock:
            bucket = self._buckets.get(record.operation or "")
            allowed = bucket is None or bucket.take()
        return None if allowed else error_app(400, "Throttling", "Rate exceeded")
