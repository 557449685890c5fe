"""The WSGI middleware in front of moto: it serves the control API under CONTROL_PREFIX, sends the
set-up helpers' requests straight to moto, and logs every other request and runs the dispatch hooks
(the checks of ``auth``, the faults of ``faults``) before moto answers it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from werkzeug.wsgi import LimitedStream

from .faults import DispatchHook, ResetConnection
from .request_log import NO_ANSWER, SETUP_ACCESS_KEY_ID, RequestLog, RequestRecord, access_key_id

CONTROL_PREFIX = "/_local_cloudfront/"


def bounded_input(environ: WSGIEnvironment) -> None:
    """Give the application the request body only (Content-Length bytes), not the connection's
    stream: on a kept-alive connection the next request follows it."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return  # werkzeug's DechunkedInput ends with the body
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], length)


def drained(environ: WSGIEnvironment, body: Iterable[bytes]) -> Iterable[bytes]:
    """The answer ``body``, once what the application left of the request body is read: on a
    kept-alive connection, unread bytes would be taken for the next request."""
    stream = environ.get("wsgi.input")
    if isinstance(stream, LimitedStream):
        with contextlib.suppress(OSError, ValueError):
            stream.exhaust()
    return body


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
        bounded_input(environ)
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return drained(environ, self.control(environ, start_response))
        if access_key_id(environ) == self.setup_access_key_id:
            return drained(environ, self.backend(environ, start_response))
        record = RequestRecord.from_environ(environ)
        self.log.add(record)

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            self.log.set_status(record, int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        try:
            return drained(environ, self._choose_app(record, environ)(environ, recording_start_response))
        except ResetConnection:  # recorded, then re-raised: the request handler resets the connection
            self.log.set_status(record, NO_ANSWER)
            raise
        except BaseException:  # recorded, then re-raised: werkzeug answers 500 or drops the connection
            self.log.set_status(record, 500)
            raise

    def _choose_app(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication:
        for hook in self.dispatch_hooks:
            replacement = hook(record, environ)
            if replacement is not None:
                return replacement
        return self.backend
