"""``patch_moto()``: moto's CloudFront made to behave like CloudFront (``model``, ``tenants``), and
moto's STS made to tell the endpoints of the credentials it hands out. Applied at import."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.cloudfront.models import Invalidation
from moto.sts.models import AssumedRole, STSBackend

from .model import endpoint_settings, patch_invalidations
from .tenants import patch_tenants

_patch_lock = threading.Lock()


# Called with each role that STS (moto's) hands out: the endpoints register its credentials. The list
# lives on moto's class, as the settings do: STS is patched once, by the first import of this package,
# and the endpoints of the other import (by its other name) must hear of the roles too.
_LISTENERS_ATTR = "_local_cloudfront_role_listeners"
if _LISTENERS_ATTR not in vars(STSBackend):
    setattr(STSBackend, _LISTENERS_ATTR, [])
ASSUMED_ROLE_LISTENERS: list[Callable[[str, str, str], None]] = getattr(STSBackend, _LISTENERS_ATTR)


def _wrap_assume_role(original: Callable[..., AssumedRole]) -> Callable[..., AssumedRole]:
    @functools.wraps(original)
    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> AssumedRole:
        role = original(self, *args, **kwargs)
        for listener in list(ASSUMED_ROLE_LISTENERS):
            listener(role.access_key_id, role.secret_access_key, role.session_token)
        return role

    return assume_role


# Set on moto's class once patched, so that two imports of this package (by its two names) patch once.
_PATCHED_ATTR = "_local_cloudfront_patched"


def patch_moto() -> None:
    """Make moto's CloudFront behave like CloudFront (idempotent)."""
    with _patch_lock:
        if _PATCHED_ATTR in Invalidation.__dict__:
            return
        STSBackend.assume_role = _wrap_assume_role(STSBackend.assume_role)  # type: ignore[method-assign]
        patch_invalidations()
        patch_tenants()
        endpoint_settings()  # made now: shared by every import of this package
        setattr(Invalidation, _PATCHED_ATTR, True)


patch_moto()
