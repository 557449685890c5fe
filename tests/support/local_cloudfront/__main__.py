"""The command line: ``python -m local_cloudfront [--host H] [--port P] [--delay S] [--verbose]
[--credentials KEY=SECRET ...]`` (with tests/support on the path) prints the endpoint's URL on one
line, then serves until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from .endpoint import LocalCloudFront
from .model import DEFAULT_DELAY


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local_cloudfront", description="Serve a local CloudFront endpoint (moto, patched)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY, help="seconds until Completed")
    parser.add_argument("--verbose", action="store_true", help="log each request (werkzeug)")
    parser.add_argument(
        "--credentials",
        action="append",
        default=[],
        metavar="KEY=SECRET",
        help="an access key the endpoint accepts, and its secret key (repeat for more; every request must be"
        " signed with one)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server = LocalCloudFront(args.host, args.port, args.delay, verbose=args.verbose)
    for pair in args.credentials:
        key, _equals, secret = pair.partition("=")
        server.register_credentials(key, secret)
    server.start()
    try:
        print(server.url, flush=True)
        stopping.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
