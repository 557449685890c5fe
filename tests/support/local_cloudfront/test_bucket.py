# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The token bucket (bucket)."""

from __future__ import annotations

import time

import pytest

from local_cloudfront import TokenBucket


def test_a_token_bucket_fills_at_its_rate_up_to_its_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 60  # no more than the burst
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    assert (bucket.taken, bucket.refused) == (7, 3)
