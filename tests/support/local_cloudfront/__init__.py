"""A local CloudFront endpoint for tests and the demo, built on moto's server.

moto is patched (``patch_moto()``, applied at import) where it differs from CloudFront
in the places the collection depends on:

* invalidations are born ``InProgress`` and become ``Completed`` after a delay
  (server-wide default, overridable per invalidation);
* ListInvalidations lists newest first and pages with ``MaxItems``/``Marker``;
  ListDistributions pages too (creation order);
* ListInvalidations on an unknown distribution answers ``NoSuchDistribution`` (404);
* CreateInvalidation and CreateInvalidationForDistributionTenant check, in this order (``create_checked()``):
  - the batch's items: at least one, else ``InvalidArgument``; at most the file-path limit (3000),
    else ``BatchTooLarge`` (413); each a path (starts with ``/``; ``*`` only as its last character:
    a wildcard path) or a cache tag (``#`` then 1 to 256 characters, so at most 257 with the ``#``;
    no ``*``), else ``InvalidArgument`` ("Your request contains one or more invalid invalidation
    paths: ITEM (why).", CloudFront's words, then the item and the reason);
  - ``CallerReference``: idempotent (the same list of paths: the existing invalidation, 201, even
    with the limits full; other paths: ``InvalidationBatchAlreadyExists``);
  - cache tags need a ``CacheTagConfig`` on the distribution (for a tenant: its distribution's;
    ``create_distribution(cache_tag_header=...)``), else ``InvalidArgument`` with this endpoint's
    message (AWS's text is not known), CACHE_TAG_CONFIG_REQUIRED;
  - the in-progress limits, per distribution and, apart, per distribution tenant: the invalidations
    still InProgress, with the batch, may hold at most 3000 file paths (cache tags count as file
    paths) and 15 wildcard paths, else ``TooManyInvalidationsInProgress`` (400, CloudFront's
    messages: TOO_MANY_FILE_PATHS, TOO_MANY_WILDCARDS) and nothing is created. The limits are
    ``set_invalidation_limits()`` (or ``POST /_local_cloudfront/config``
    ``{"invalidation_limits": {"paths": N, "wildcards": N}}``) until ``reset()``. The set-up helpers
    (``create_invalidation()``, ``create_tenant_invalidation()``) are not held to them: they may
    arrange any state, and what they make counts;
* CreateInvalidation on a multi-tenant distribution answers ``NoSuchDistribution`` (404), as
  CloudFront does;
* ``CreateTime`` is a UTC timestamp with millisecond precision, on the server's clock: time.time()
  shifted by ``set_clock_offset()`` (``POST /_local_cloudfront/config`` ``{"clock_offset": S}``;
  0 after ``reset()``), which also gives every answer's HTTP ``Date`` header (errors too) and the
  tenants' times, but not the completion delays;
* GetDistribution returns the ``CacheTagConfig`` a distribution was made with;
* GetDistribution's ``InProgressInvalidationBatches`` counts the invalidations in progress;
* a temporary access key (``ASIA...``) signed without a session token is refused
  (``InvalidClientTokenId``, 403), as AWS refuses it;
* STS (moto's) answers AssumeRole, and the credentials it hands out are registered at once, so that
  a role profile works as on AWS; each request's log record names the service it was signed for;
* every request must be signed (SigV4) with a registered access key (``register_credentials()``),
  with its secret key, and carry its session token if one was registered: ``MissingAuthenticationToken``
  (unsigned), ``InvalidClientTokenId`` (a key not registered, or a token missing) or
  ``SignatureDoesNotMatch`` (403) otherwise, as AWS answers, so that a secret, a token or a key lost
  on the way fails here as it would there;
* distribution tenants of multi-tenant distributions (CloudFront SaaS Manager), which moto has not:
  GetDistributionTenant, GetDistributionTenantByDomain, CreateDistributionTenant,
  ListDistributionTenants (creation order, paged with ``MaxItems``/``Marker``, filtered by the
  ``AssociationFilter``; ``EntityNotFound`` for an unknown distribution there), and their
  invalidations (CreateInvalidationForDistributionTenant, GetInvalidationForDistributionTenant,
  ListInvalidationsForDistributionTenant), born ``InProgress`` like the others, newest first, paged,
  ``EntityNotFound`` for an unknown tenant or domain; a multi-tenant distribution
  (``create_distribution(multi_tenant=True)``: ``ConnectionMode`` ``tenant-only``) has no
  invalidations of its own;
* connections are kept alive (HTTP/1.1), as CloudFront's are, so that a client's requests share
  one connection; each request's log record names its connection (``connection``: the client's
  port), and ``down()``/an outage closes the open ones.

``add_invalidations()`` makes a long history (thousands of invalidations) at once, in process.

The WSGI middleware in front of moto logs every AWS request (except the set-up calls
of ``create_distribution``/``create_invalidation``), serves a JSON control
API under ``/_local_cloudfront/`` and runs ``dispatch_hooks``, where the faults plug in:

* HTTP errors: ``throttle()``, ``deny()``, ``controller.errors.set()``;
* the account's rate limits: ``rate_limit()``, a token bucket per operation (or one for several),
  shared by every caller, which answers ``Throttling`` when it is empty;
* network faults: ``reset_connections()`` (TCP reset, no HTTP answer, before the request is
  carried out), ``lose_answers()`` (the request carried out, e.g. the invalidation created, then the
  TCP reset instead of the answer; logged with status NO_ANSWER and ``lost_answer``: the status not
  sent), ``stall()``
  (answer held for a while, e.g. past the client's read timeout) and ``outage()`` /
  ``down()`` / ``up()`` (the listening socket closed: connection refused; then served
  again on the same port, with the state kept).

``reset()`` (or ``clear_faults()``) ends them all. Other processes use
``POST /_local_cloudfront/faults`` (``{"kind": "reset"|"lose"|"stall"|"outage"|"throttle"|"error"|"rate",
...}``) and ``DELETE /_local_cloudfront/faults``; ``GET``/``POST /_local_cloudfront/config`` read and set
``default_delay``, ``clock_offset`` and ``invalidation_limits``.

moto keeps its state in process-global backends, so the CloudFront state, the
default delay, the clock offset and the limits are process-wide: run one ``LocalCloudFront`` per process.

The parts, one a module: ``model`` (CloudFront's invalidations on moto's model, the process-wide
settings), ``tenants`` (distribution tenants), ``patches`` (``patch_moto()``: both put into moto),
``request_log`` (naming and logging requests), ``faults`` (the fault hooks) and ``bucket`` (the token
bucket of the rate limits), ``auth`` (the signature checks), ``middleware`` (in front of moto),
``server`` (the socket server, its outages), ``control`` (the control API), ``endpoint``
(``LocalCloudFront``) and ``__main__`` (the command line).

CLI: ``python -m local_cloudfront [--host H] [--port P] [--delay S] [--verbose] [--credentials KEY=SECRET]``
(from tests/support, or with it on PYTHONPATH) prints its URL on one line, then serves until
SIGINT/SIGTERM.
"""

from __future__ import annotations

from .bucket import TokenBucket
from .endpoint import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalCloudFront, distribution_config
from .faults import POLLED
from .model import (
    CACHE_TAG_CONFIG_REQUIRED,
    CACHE_TAG_MAX,
    TOO_MANY_FILE_PATHS,
    TOO_MANY_WILDCARDS,
    UnknownInvalidation,
    completion_time,
)
from .patches import patch_moto
from .request_log import NO_ANSWER, operation_name
from .tenants import find_invalidation

__all__ = [
    "CACHE_TAG_CONFIG_REQUIRED",
    "CACHE_TAG_MAX",
    "DUMMY_ACCESS_KEY_ID",
    "DUMMY_SECRET_ACCESS_KEY",
    "NO_ANSWER",
    "POLLED",
    "TOO_MANY_FILE_PATHS",
    "TOO_MANY_WILDCARDS",
    "LocalCloudFront",
    "TokenBucket",
    "UnknownInvalidation",
    "completion_time",
    "distribution_config",
    "find_invalidation",
    "operation_name",
    "patch_moto",
]
