"""``LocalCloudFront``: moto's CloudFront over real HTTP on loopback, behaving like CloudFront, with
its Python API (steering, faults, set-up helpers) and boto3 clients of it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import boto3
import botocore.config
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from .auth import TemporaryKeyCheck
from .control import ControlAPI, Controller
from .faults import POLLED
from .middleware import LocalCloudFrontMiddleware
from .model import (
    DEFAULT_DELAY,
    DEFAULT_PATH_LIMIT,
    DEFAULT_WILDCARD_LIMIT,
    add_history,
    completion_time,
    set_multi_tenant,
)
from .patches import ASSUMED_ROLE_LISTENERS
from .request_log import SETUP_ACCESS_KEY_ID
from .server import FaultRequestHandler, Listener, QuietRequestHandler

REGION = "us-east-1"
# Dummy credentials. The secret never reaches the request log (only the key id does).
DUMMY_ACCESS_KEY_ID = "AKIALOCALCLOUDFRONT"
DUMMY_SECRET_ACCESS_KEY = "local-cloudfront-dummy-secret"


def distribution_config(aliases: Sequence[str], comment: str, cache_tag_header: str | None = None) -> dict[str, Any]:
    """A DistributionConfig; ``cache_tag_header``: with a CacheTagConfig (HeaderName)."""
    origin_id = "local-s3-origin"
    config: dict[str, Any] = {
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
    if cache_tag_header is not None:
        config["CacheTagConfig"] = {"HeaderName": cache_tag_header}
    return config


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
        backend = DomainDispatcherApplication(create_backend_app)
        self.middleware = LocalCloudFrontMiddleware(
            backend=backend,
            control=ControlAPI(self.controller),
            log=self.controller.log,
            # Stalls first (a stalled request may then be reset or answered with an error), then
            # what AWS checks of every request, then the injected error answers; last, the lost
            # answers (of requests that moto carries out).
            dispatch_hooks=[
                self.controller.stalls,
                self.controller.resets,
                TemporaryKeyCheck(),
                self.controller.signatures,
                self.controller.rate_limits,
                self.controller.errors,
                self.controller.losses.hook(backend),
            ],
        )
        self._listener: Listener | None = None
        self._setup_client: Any = None
        # the clients of client() sign with these
        self.register_credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)

    def start(self) -> LocalCloudFront:
        if self._listener is not None:
            raise RuntimeError(f"LocalCloudFront already serving at {self.url}")
        self.controller.set_default_delay(self.controller.initial_delay)
        handler = FaultRequestHandler if self.verbose else QuietRequestHandler
        listener = Listener(self.host, self.port, self.middleware, handler, self.tls)
        listener.start()
        self.port = listener.port
        self.url = f"{'https' if self.tls else 'http'}://{listener.address}"
        self._listener = self.controller.listener = listener
        # the credentials STS hands out here are accepted here, as AWS accepts them
        ASSUMED_ROLE_LISTENERS.append(self.controller.signatures.register)
        return self

    def stop(self) -> None:
        """Stop serving (quickly: stalls in progress are released, not waited out)."""
        listener = self._listener
        if listener is None:
            return
        self.controller.stalls.release()
        listener.stop()
        self._listener = self.controller.listener = None
        self._setup_client = None
        if self.controller.signatures.register in ASSUMED_ROLE_LISTENERS:
            ASSUMED_ROLE_LISTENERS.remove(self.controller.signatures.register)

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

    def set_clock_offset(self, seconds: float) -> None:
        """Shift the server's clock ``seconds`` from time.time() (either way): the CreateTime of new
        invalidations (and tenants) and the ``Date`` header of every answer; not the completion
        delays. Until reset() (0)."""
        self.controller.set_clock_offset(seconds)

    def set_invalidation_limits(self, paths: int = DEFAULT_PATH_LIMIT, wildcards: int = DEFAULT_WILDCARD_LIMIT) -> None:
        """What the invalidations InProgress of a distribution (and, apart, of each distribution tenant)
        may hold: ``paths`` file paths (cache tags included) and ``wildcards`` wildcard paths; a batch
        of more than ``paths`` items is BatchTooLarge. Until reset() (CloudFront's 3000 and 15)."""
        self.controller.set_invalidation_limits(paths, wildcards)

    def complete_in(self, invalidation_id: str, seconds: float) -> float:
        """Complete the invalidation ``seconds`` from now (0: now). UnknownInvalidation if absent.
        Returns when it completes (a wall time, ``time.time()``)."""
        return completion_time(self.controller.complete_in(invalidation_id, seconds))

    def deny(self, operation: str, code: str = "AccessDenied", status: int = 403) -> None:
        """Answer every ``operation`` request with an error (default: AccessDenied) until reset."""
        self.controller.errors.set(
            operation, status, code, f"User is not authorized to perform: cloudfront:{operation}"
        )

    def register_credentials(self, access_key_id: str, secret: str, token: str | None = None) -> None:
        """Check the requests signed with ``access_key_id``: signed with ``secret`` (and carrying
        ``token``, when given), as AWS checks them. Registered for the life of the endpoint (reset()
        keeps them)."""
        self.controller.signatures.register(access_key_id, secret, token)

    def rate_limit(
        self, rate: float, burst: float | None = None, operations: Sequence[str] = POLLED, shared: bool = False
    ) -> None:
        """The account's rate limit: ``rate`` requests a second for each of ``operations`` (``shared``:
        for all of them together), ``burst`` (default: a second's worth, at least 1) at once, for
        every caller alike; beyond it, CloudFront's Throttling answer. Until reset or clear_faults."""
        self.controller.rate_limits.set(rate, burst if burst is not None else max(1.0, rate), operations, shared)

    def rate_limited(self) -> dict[str, dict[str, int]]:
        """Per rate-limited operation, the requests let through and those throttled."""
        return self.controller.rate_limits.counts()

    def throttle(self, operation: str, count: int) -> None:
        """Answer the next ``count`` ``operation`` requests as CloudFront does when throttling."""
        self.controller.errors.set(operation, 400, "Throttling", "Rate exceeded", count)

    def reset_connections(self, operation: str, count: int) -> None:
        """Reset (TCP RST) the connection of the next ``count`` ``operation`` requests, with no
        HTTP answer: the client sees a connection error. Logged with status NO_ANSWER (0)."""
        self.controller.resets.set(operation, count)

    def lose_answers(self, operation: str, count: int) -> None:
        """Carry out the next ``count`` ``operation`` requests (an invalidation is created), then reset
        (TCP RST) the connection instead of answering: the client sees a connection error. Logged
        with status NO_ANSWER (0) and ``lost_answer``: the status of the answer not sent."""
        self.controller.losses.set(operation, count)

    def stall(self, operation: str, count: int, seconds: float) -> None:
        """Hold the next ``count`` ``operation`` requests ``seconds`` before answering them
        normally (past the client's read timeout, the client gives up). Other requests are
        served meanwhile; reset(), clear_faults() and stop() end the stalls in progress."""
        self.controller.stalls.set(operation, count, seconds)

    def outage(self, seconds: float) -> None:
        """Refuse connections (listening socket closed) for ``seconds``, then serve again on
        the same port with the state kept. Returns at once; up()/reset() end it early."""
        self.controller.outage(seconds)

    def down(self) -> None:
        """Refuse connections until up() or reset()."""
        if self._listener is None:
            raise RuntimeError("LocalCloudFront is not started")
        self._listener.down()

    def up(self) -> None:
        """Serve again after down() or during an outage (same port, same state)."""
        if self._listener is not None:
            self._listener.up()

    @property
    def serving(self) -> bool:
        """Started and not in an outage."""
        return self._listener is not None and self._listener.serving

    def clear_faults(self) -> None:
        """End every fault (errors, rate limits, resets, lost answers, stalls, outage), keeping the state and
        the log."""
        self.controller.clear_faults()

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The AWS requests served (of ``operation``), in order of arrival: each with ``time`` (its
        arrival), ``answered`` (when its answer's status was set: a poll's status was read between the
        two) and ``status`` (request_log.RequestRecord)."""
        return self.controller.log.entries(operation)

    def clear_requests(self) -> None:
        self.controller.log.clear()

    # -- AWS side, through the HTTP endpoint --

    def client(
        self,
        access_key_id: str = DUMMY_ACCESS_KEY_ID,
        config: botocore.config.Config | None = None,
        secret: str = DUMMY_SECRET_ACCESS_KEY,
    ) -> Any:
        """A boto3 client of this endpoint, signing with ``access_key_id`` and ``secret`` (which
        must be registered, as the default ones are)."""
        if not self.url:
            raise RuntimeError("LocalCloudFront is not started")
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key=secret, region_name=REGION
        )
        return session.client(
            "cloudfront", endpoint_url=self.url, verify=self.tls[0] if self.tls else None, config=config
        )

    def _setup(self) -> Any:
        """The client of the set-up helpers (one per start(); making clients is slow)."""
        if self._setup_client is None:
            self._setup_client = self.client(SETUP_ACCESS_KEY_ID)
        return self._setup_client

    def create_distribution(
        self,
        aliases: Sequence[str] = (),
        comment: str = "",
        multi_tenant: bool = False,
        cache_tag_header: str | None = None,
    ) -> dict[str, Any]:
        """A distribution; ``multi_tenant``: a multi-tenant one, whose invalidations are its tenants';
        ``cache_tag_header``: with a CacheTagConfig naming that header (cache tags can be invalidated)."""
        config = distribution_config(aliases, comment, cache_tag_header)
        distribution = self._setup().create_distribution(DistributionConfig=config)["Distribution"]
        if multi_tenant:
            set_multi_tenant(distribution["Id"])
        return {
            "id": distribution["Id"],
            "domain_name": distribution["DomainName"],
            "aliases": list(distribution["DistributionConfig"]["Aliases"].get("Items", [])),
        }

    def create_distribution_tenant(self, distribution_id: str, domains: Sequence[str], name: str = "") -> str:
        """A tenant of the (multi-tenant) distribution, with these domains; its ID (dt_...)."""
        tenant = self._setup().create_distribution_tenant(
            DistributionId=distribution_id,
            Name=name or f"tenant-{uuid.uuid4().hex[:12]}",
            Domains=[{"Domain": domain} for domain in domains],
        )
        tenant_id: str = tenant["DistributionTenant"]["Id"]
        return tenant_id

    def create_tenant_invalidation(
        self,
        tenant_id: str,
        paths: Sequence[str] = ("/*",),
        caller_reference: str | None = None,
        complete_in: float | None = None,
    ) -> str:
        """An invalidation of a distribution tenant (born InProgress); its ID."""
        setup = self._setup()
        return self._invalidate(
            lambda batch: setup.create_invalidation_for_distribution_tenant(Id=tenant_id, InvalidationBatch=batch),
            paths,
            caller_reference,
            complete_in,
        )

    def add_invalidations(self, distribution_id: str, count: int, completed: bool = True) -> list[str]:
        """A long history: ``count`` invalidations older than the distribution's others, made at
        once in process (not logged); oldest first. ``completed=False``: in progress for good."""
        return add_history(distribution_id, count, completed)

    def create_invalidation(
        self,
        distribution_id: str,
        paths: Sequence[str] = ("/*",),
        caller_reference: str | None = None,
        complete_in: float | None = None,
    ) -> str:
        """An invalidation of a distribution (born InProgress); its ID."""
        return self._invalidate(
            lambda batch: self._setup().create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch),
            paths,
            caller_reference,
            complete_in,
        )

    def _invalidate(
        self,
        create: Callable[[dict[str, Any]], Any],
        paths: Sequence[str],
        caller_reference: str | None,
        complete_in: float | None,
    ) -> str:
        """Create an invalidation with ``create(batch)``; complete it ``complete_in`` seconds later."""
        batch = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": caller_reference or f"local-cloudfront-{uuid.uuid4()}",
        }
        invalidation_id: str = create(batch)["Invalidation"]["Id"]
        if complete_in is not None:
            self.complete_in(invalidation_id, complete_in)
        return invalidation_id
