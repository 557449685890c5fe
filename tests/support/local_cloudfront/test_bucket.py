# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The token bucket (bucket), on a clock of the test's."""

from __future__ import annotations

from local_cloudfront import TokenBucket


def test_a_token_bucket_fills_at_its_rate_up_to_its_burst() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 60  # no more than the burst
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    assert (bucket.taken, bucket.refused) == (7, 3)


def test_a_token_whole_but_for_floating_point_rounding_is_taken() -> None:
    now = [0.2]
    bucket = TokenBucket(rate=10, burst=1, clock=lambda: now[0])
    assert bucket.take()
    now[0] = 0.3  # a tenth of a second: one token, which 10 * (0.3 - 0.2) makes 0.9999999999999998
    assert [bucket.take(), bucket.take()] == [True, False]
