# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/benchmarks.md from the real code (benchmarks/report.py): the committed page is what its
committed results render to, and what the page says of the collection's code (the poll schedule, the
pace after throttling, the default timeout, the clients near the deadline) follows that code when it
changes; a page is not rendered from results measured on another schedule than the code's."""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

# The suite's harness (which report.py imports through create.py) runs the local endpoint, moto;
# ansible-test units' environment has only the collection's requirements.
pytest.importorskip("moto")

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "benchmarks"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import report  # noqa: E402
import simulate  # noqa: E402

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api, waiter  # noqa: E402
from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info  # noqa: E402

RESULTS = REPO / "docs" / "benchmarks" / "results.json"
PAGE = REPO / "docs" / "benchmarks.md"
# the charts' links, as benchmarks/run.py makes them when it has drawn both
CHARTS = ("benchmarks/overshoot_calls.png", "benchmarks/many_gates_latency.png")
TODAY = (
    "first poll at once, then 1.5 s between polls, 2 s after 10 s of waiting, 6 s after 30 s, 12 s after 60 s"
    " and 20 s, the longest, from 100 s on; each interval shortened at random by up to 10%"
)


@dataclasses.dataclass(frozen=True)
class Retuned(waiter.PollSchedule):
    """The waiter retuned: other intervals, jitter and pace after throttling."""

    min_interval: float = 2.0
    max_interval: float = 30.0
    growth: float = 0.1
    jitter: float = 0.25
    window_growth: float = 3.0
    took_factor: float = 3.0
    max_pace: float = 40.0


@dataclasses.dataclass(frozen=True)
class Stepped(waiter.PollSchedule):
    """The waiter's rule itself changed: two steps instead of growth in proportion to the time waited."""

    def interval(self, elapsed: float) -> float:
        return 5.0 if elapsed < 45 else 15.0


def committed_results() -> dict[str, Any]:
    """The committed results, their targets judged again (as ``run.py --from-results`` does)."""
    results = json.loads(RESULTS.read_text())
    results["targets"] = report.targets(results)
    return results


def rendered(results: dict[str, Any]) -> str:
    return report.render(results, *CHARTS)


def measured_on(results: dict[str, Any], schedule: waiter.PollSchedule) -> dict[str, Any]:
    """``results`` as if its simulations had run on ``schedule``."""
    results = copy.deepcopy(results)
    results["simulation"]["method"]["schedule"] = dataclasses.asdict(schedule)
    results["many_gates"]["method"]["poll_schedule"] = dataclasses.asdict(schedule)
    results["targets"] = report.targets(results)
    return results


def test_the_committed_results_render_to_the_committed_page() -> None:
    """``run.py --from-results docs/benchmarks/results.json`` writes back the same page and results."""
    results = committed_results()
    assert rendered(results) == PAGE.read_text()
    assert harness.dumps(results) == RESULTS.read_text()


def test_the_schedule_is_the_waiters() -> None:
    assert report.schedule_text() == TODAY
    assert rendered(committed_results()).count(f"`waiter.PollSchedule()` ({TODAY})") == 1
    assert rendered(committed_results()).count(f"`waiter.PollSchedule()`\n  ({TODAY})") == 1


def test_the_page_follows_a_retuned_waiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiter, "PollSchedule", Retuned)
    retuned = (
        "first poll at once, then 2 s between polls, 2 s after 10 s of waiting, 3 s after 30 s, 6 s after 60 s"
        " and 30 s, the longest, from 300 s on; each interval shortened at random by up to 25%"
    )
    assert report.schedule_text() == retuned
    page = rendered(measured_on(committed_results(), Retuned()))
    assert page.count(retuned) == 2
    assert TODAY not in page
    # the pace after a streak of throttled answers, and its retry windows, in part 5's target and findings
    assert "the pace after it (3 times the streak, 40 s at most)" in page
    assert "spreads them over its 3-fold growing windows; then each gate keeps the pace the streak gave it" in page
    assert "(3 times its length)" in page
    assert "twice" not in page.split("## 5. Many gates")[1].split("## 6.")[0]


def test_the_page_follows_a_changed_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiter, "PollSchedule", Stepped)
    assert report.schedule_text() == (
        "first poll at once, then 5 s between polls, 5 s after 10 s of waiting, 5 s after 30 s and 15 s, the"
        " longest, from 45 s on; each interval shortened at random by up to 10%"
    )


def test_results_of_another_schedule_are_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page cannot describe the code's schedule beside figures measured on another: measure again."""
    results = committed_results()
    monkeypatch.setattr(waiter, "PollSchedule", Retuned)
    with pytest.raises(ValueError, match=r"simulation ran with another poll schedule.*growth 0\.2 \(now 0\.1\)"):
        rendered(results)
    results = measured_on(results, Retuned())
    results["many_gates"]["method"]["poll_schedule"]["max_pace"] = 30.0
    with pytest.raises(ValueError, match=r"many_gates ran .*\(max_pace 30\.0 \(now 40\.0\)\).*--parts many_gates"):
        rendered(results)


def test_the_page_follows_the_default_timeout_and_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    page = rendered(committed_results())
    assert "The module's default `wait_timeout` is 1800 s;" in page
    assert "ours with the default wait_timeout (1800 s): failed" in page
    assert "(a twentieth and a tenth of\nit, `api.timeouts_for`)" in page
    documentation = yaml.safe_load(cloudfront_invalidation_info.DOCUMENTATION)
    documentation["options"]["wait_timeout"]["default"] = 900
    monkeypatch.setattr(cloudfront_invalidation_info, "DOCUMENTATION", yaml.safe_dump(documentation))
    monkeypatch.setattr(api, "LAST_STRETCH", 25)
    monkeypatch.setattr(api, "timeouts_for", lambda budget: (budget / 4, budget / 3))
    page = rendered(committed_results())
    assert "The module's default `wait_timeout` is 900 s;" in page
    assert "ours with the default wait_timeout (900 s): failed" in page
    assert "(a quarter and a third of\nit, `api.timeouts_for`)" in page
    assert "more than 25 s (`api.LAST_STRETCH`) makes a second client, with the timeouts of 25 s" in page
    assert "it within 25 s of the deadline all along" in page


def test_the_simulation_waits_with_the_modules_default_timeout() -> None:
    """Part 2's row "with the default wait_timeout" is the page's figure only if the simulation used it."""
    assert report.default_wait_timeout() == simulate.MODULE_DEFAULT_WAIT_TIMEOUT
