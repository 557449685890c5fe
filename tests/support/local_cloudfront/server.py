"""The socket server: werkzeug's threaded server, keeping connections alive as CloudFront does,
resetting one when a dispatch hook says so (``faults.ResetConnection``), dating its answers on the
server's clock, and the ``Listener`` that can go down (an outage: connections refused) and come back
on the same port."""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from typing import Any
from wsgiref.types import WSGIApplication, WSGIEnvironment

import werkzeug.serving
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .faults import ResetConnection, check_seconds
from .model import server_time

# How often the serving loop checks for a stop: bounds how long stop()/down() take.
POLL_INTERVAL = 0.05


def abort_connection(connection: socket.socket) -> None:
    """Close with SO_LINGER 0, so that the peer gets a TCP reset (RST) rather than a FIN."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The socket closes for real when the handler closes its rfile, before socketserver's
    # shutdown_request() (whose shutdown(SHUT_WR) would send a FIN) finds it closed.
    connection.close()


class _NoLeftovers:
    """Stands for the ``selectors`` module in werkzeug.serving, whose ``run_wsgi`` reads whatever
    the client sent after a request before closing the connection, which would swallow the next
    request of a kept-alive one (and hang reading it). The middleware reads the rest of each
    request body itself (``drained``), so there is never anything left to throw away."""

    EVENT_READ = selectors.EVENT_READ

    class DefaultSelector:
        def register(self, fileobj: Any, events: int, data: Any = None) -> None:
            return None

        def select(self, timeout: float | None = None) -> list[Any]:
            return []

        def close(self) -> None:
            return None


werkzeug.serving.selectors = _NoLeftovers  # type: ignore[assignment]


class FaultRequestHandler(WSGIRequestHandler):
    """Keeps connections alive (HTTP/1.1), as CloudFront does; resets the connection, without
    an HTTP answer, when the application raises ResetConnection.

    werkzeug's development server closes every connection ("Connection: close"), because
    http.server cannot skip a request body the application left unread; the middleware reads
    what is left of every body (``drained``), so the next request of a connection starts clean.
    """

    protocol_version = "HTTP/1.1"

    server: LocalServer

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and not self.server.closing:
            return  # kept alive, unless the client asked to close (http.server reads its header)
        super().send_header(keyword, value)

    def parse_request(self) -> bool:
        # a request line has been read: the connection is busy until its answer is sent
        self.server.request_started(self.connection)
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            self.server.request_ended(self.connection)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header of every answer (errors too): the server's clock (``server_time()``)."""
        return super().date_time_string(server_time() if timestamp is None else timestamp)

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        if isinstance(error, ResetConnection):
            self.close_connection = True
            abort_connection(self.connection)


class QuietRequestHandler(FaultRequestHandler):
    """No per-request access log; errors are still reported."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class PortUnavailable(RuntimeError):
    """The port cannot be listened on (werkzeug would sys.exit())."""


class LocalServer(ThreadedWSGIServer):
    """werkzeug's threaded server, raising PortUnavailable where werkzeug exits the process, and
    knowing its open connections (kept alive), so that closing it closes them too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._busy: set[socket.socket] = set()  # reading a request or answering it
        self.closing = False  # answers from now on say "Connection: close"
        super().__init__(*args, **kwargs)

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as error:
            raise PortUnavailable(f"cannot listen on {self.server_address}: {error}") from error

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        # werkzeug writes the status line, the headers and the body apart: without this, on a
        # kept-alive connection, Nagle's algorithm and delayed ACKs hold each answer 40 ms
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            self._busy.discard(request)
        super().shutdown_request(request)

    def request_started(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._busy.add(connection)

    def request_ended(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._busy.discard(connection)

    def close_connections(self) -> None:
        """End the open connections: a request in progress is still answered ("Connection: close"),
        then the connection closes; an idle one (kept alive) is shut both ways before this returns,
        so that its client sees it closed (FIN) and does not send its next request on it: the
        handler thread closes it later, and a request sent in between would meet a reset."""
        with self._connections_lock:
            self.closing = True
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RD if connection in self._busy else socket.SHUT_RDWR)


class Listener:
    """The listening HTTP server of a LocalCloudFront. It can go down (the listening socket
    closed: connections are refused) and come back on the same port; the state (moto's, the
    log, the faults) lives in the process and is kept. Requests already accepted are answered.
    """

    def __init__(
        self, host: str, port: int, app: WSGIApplication, handler: type[WSGIRequestHandler], tls: tuple[str, str] | None
    ) -> None:
        self.host = host
        self.port = port
        self.app = app
        self.handler = handler
        self.tls = tls
        self.address = ""  # host:port, once started
        self._lock = threading.Lock()
        self._started = False
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        self._outage: threading.Event | None = None  # set when the outage is over (early)

    @property
    def serving(self) -> bool:
        with self._lock:
            return self._server is not None

    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError(f"already serving at {self.address}")
            self._serve()
            self._started = True

    def stop(self) -> None:
        with self._lock:
            self._end_outage()
            self._close()
            self._started = False

    def down(self) -> None:
        """Refuse connections until up()."""
        with self._lock:
            self._require_started()
            self._end_outage()
            self._close()

    def up(self) -> None:
        """Serve again, on the same port (ends an outage early). Nothing to do if serving or stopped."""
        with self._lock:
            self._end_outage()
            if self._started and self._server is None:
                self._serve()

    def outage(self, seconds: float) -> None:
        """Refuse connections for ``seconds`` (from now on; a running outage is replaced)."""
        check_seconds(seconds)
        with self._lock:
            self._require_started()
            self._end_outage()
            self._close()
            over = threading.Event()
            self._outage = over
            threading.Thread(
                target=self._up_after, args=(over, seconds), name="local-cloudfront-outage", daemon=True
            ).start()

    def _up_after(self, over: threading.Event, seconds: float) -> None:
        over.wait(seconds)
        with self._lock:
            if self._outage is over:  # not ended by up(), down(), stop() or another outage
                self._outage = None
                self._serve()

    def _require_started(self) -> None:
        if not self._started:
            raise RuntimeError("LocalCloudFront is not started")

    def _end_outage(self) -> None:
        if self._outage is not None:
            self._outage.set()
            self._outage = None

    def _serve(self) -> None:
        # SO_REUSEADDR (werkzeug sets allow_reuse_address): the port is free again at once,
        # whatever the TIME_WAIT connections of the previous server.
        server = LocalServer(self.host, self.port, self.app, self.handler, ssl_context=self.tls)
        host, port = server.socket.getsockname()[:2]
        self.port = int(port)
        self.address = f"{host}:{self.port}"
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name="local-cloudfront", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread

    def _close(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server, self._thread = None, None
