# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fakes shared by the unit tests of module_utils/_cloudfront (the clock is tests/support/fake_clock.py):
no jitter, CloudFront's errors as botocore raises them. The fixture that takes the jitter out of
``random.random`` is in conftest.py, next to this file."""

from __future__ import annotations

import botocore.exceptions as bx

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import TransientError


def no_jitter() -> float:
    """A ``rand`` for the waiting core: the jitter's random draw, always 0."""
    return 0.0


class Throttled(TransientError):
    """A transient failure that is throttling (the wait slows its pace down)."""

    throttled = True


def client_error(code: str, status: int = 400, message: str = "", operation: str = "GetInvalidation") -> bx.ClientError:
    """A ClientError as botocore raises it for an answer of CloudFront with ``code`` and ``status``."""
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return bx.ClientError(response, operation)  # type: ignore[arg-type]


def fresh(text: str) -> str:
    """``text`` built at run time, as botocore builds the codes it parses from an answer (not the
    interned constant of a literal: an ``is`` instead of ``==`` would not see the difference)."""
    return "".join(list(text))
