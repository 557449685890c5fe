# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/benchmarks.md from the real code (benchmarks/report.py): the committed page is what its
committed results render to, and what the page says of the collection's code (the poll schedule, the
pace after throttling, the default timeout, the clients near the deadline) and of the benchmarks' own
settings (the AWS CLI waiter's, the other caller's, the models' retries) follows that code when it
changes; a page is not rendered from results measured on another schedule or other settings than the
code's."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import math
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

import botocore.loaders  # noqa: E402
import botocore.retries.standard  # noqa: E402
import botocore.session  # noqa: E402
import harness  # noqa: E402
import many_gates  # noqa: E402
import report  # noqa: E402
import simulate  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402

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


def retune_the_benchmarks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other settings for the AWS CLI waiter, the completion window, the other caller and the models of the
    until: loop and of the retries (benchmarks/simulate.py and many_gates.py, which imports the CLI's)."""
    for module in (simulate, many_gates):
        monkeypatch.setattr(module, "CLI_DELAY", 25.0)
        monkeypatch.setattr(module, "CLI_MAX_ATTEMPTS", 40)
    monkeypatch.setattr(simulate, "TERRAFORM_INTERVAL", 50.0)
    monkeypatch.setattr(simulate, "FLIP_WINDOW", 100.0)
    monkeypatch.setattr(simulate, "NEAR", 0.25)
    monkeypatch.setattr(many_gates, "OTHER_CALLER_INTERVAL", 8.0)
    monkeypatch.setattr(many_gates, "UNTIL_DELAY", 15.0)
    monkeypatch.setattr(many_gates, "UNTIL_RETRIES", 240)
    monkeypatch.setattr(many_gates, "MODULE_START", 2.0)
    monkeypatch.setattr(many_gates, "LEGACY", many_gates.BotocoreRetries(4, math.inf))
    monkeypatch.setattr(many_gates, "STANDARD", many_gates.BotocoreRetries(5, 15.0))
    monkeypatch.setattr(many_gates, "AWSRETRY_ATTEMPTS", 7)
    monkeypatch.setattr(many_gates, "AWSRETRY_DELAY", 2.0)
    monkeypatch.setattr(many_gates, "AWSRETRY_MAX_DELAY", 45.0)


def measured_with_the_settings(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` as if its parts had run with the benchmarks' settings as they are now."""
    results = copy.deepcopy(results)
    results["simulation"]["method"].update(simulate.settings())
    results["many_gates"]["method"].update(many_gates.settings())
    results["targets"] = report.targets(results)
    return results


def test_the_page_follows_retuned_benchmarks(monkeypatch: pytest.MonkeyPatch) -> None:
    retune_the_benchmarks(monkeypatch)
    page = rendered(measured_with_the_settings(committed_results()))
    for said in (
        # part 1
        "(AWS CLI v1, GetInvalidation every 25 s, 40 attempts)",
        "in an `until:` loop with `delay: 15`",
        "same 25 s and 40 attempts as its distribution waiter",
        # part 2: the window, the names of the fixed-interval pollers, what the schedule's growth trades
        "u uniform in [−50, 50) s (seeded): a 100 s window holds whole periods of the 25 s and the\n50 s polls",
        "| 25 s polls, no attempt limit | 300 |",
        "| fixed 50 s poll (Terraform) | 300 |",
        "(its 25 s pace: the CLI itself gave up)",
        "Short waits complete at T ± 25 % (uniform)",
        "T = 300 s: overshoot (s), calls vs 25 s pace",
        # part 5: the other caller (and its target), the models
        "makes one request\nevery 8 s in the same bucket",
        "another caller (a request every 8 s, same bucket) throttled on at most",
        "GetInvalidation, then 25 s of\n  sleep, 40 polls at most",
        "legacy one: 4 attempts, a sleep of rand × 2^(i − 1) s",
        "throttled after its 4 attempts raises `Throttling`",
        "4 throttled attempts of one poll end it",
        "writes it: `delay: 15`,\n  `retries` the timeout (3600 s) ÷ 15, each attempt a module run whose request"
        " comes 2 s after",
        "defaults (7 attempts, sleeps uniform in [0, min(2 × 2^k, 45)] s)",
        "(5 requests, a sleep of rand × min(2^(i − 1), 15) s after the i-th throttled one)",
        "(`WaiterConfig` Delay\n25, MaxAttempts 40;",
        # part 6: the CLI waiter's period against the completion times of the run (20 and 30 s)
        "The AWS CLI waiter polls every 25 s from its first poll, which comes just after the\ncreate: a completion"
        " 20 s after the create 20 s into a period, and one 30 s after it 5 s into a period; hence two completion"
        " times.",
    ):
        assert said in page
    for gone in ("every 20 s", "20 s polls", "20 s pace", "30 attempts", "[−30, 30)", "every 5 s", "delay: 10"):
        assert gone not in page


def test_the_create_completions_follow_the_cli_waiters_period() -> None:
    page = rendered(committed_results())
    assert (
        "The AWS CLI waiter polls every 20 s from its first poll, which comes just after the\ncreate: a completion"
        " 20 s after the create falls just before its second poll, its best case, and one 30 s after it in the"
        " middle of a period, its usual case; hence two completion times."
    ) in page


def test_results_of_other_settings_are_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page cannot state the benchmarks' settings beside figures measured with others: measure again."""
    results = committed_results()
    monkeypatch.setattr(many_gates, "OTHER_CALLER_INTERVAL", 8.0)
    with pytest.raises(
        ValueError, match=r"many_gates ran .*\(other_caller_interval 5\.0 \(now 8\.0\)\).*--parts many_gates"
    ):
        rendered(results)
    monkeypatch.setattr(many_gates, "LEGACY", many_gates.BotocoreRetries(4, math.inf))
    with pytest.raises(ValueError, match=r"cli\.retries\.max_attempts 5 \(now 4\)"):
        rendered(results)
    monkeypatch.undo()
    monkeypatch.setattr(simulate, "FLIP_WINDOW", 100.0)
    with pytest.raises(ValueError, match=r"simulation ran .*\(flip_window 60\.0 \(now 100\.0\)\).*--parts sim"):
        rendered(results)


def test_the_models_are_the_libraries() -> None:
    """The page states the AWS CLI waiter, the retry modes and AWSRetry as the benchmarks model them: as
    botocore and amazon.aws have them, and the until: loop as its playbook writes it."""
    waiters = botocore.session.get_session().get_waiter_model("cloudfront")
    tenant = "InvalidationForDistributionTenantCompleted"  # not in older botocores
    for name in ("InvalidationCompleted", *([tenant] if tenant in waiters.waiter_names else [])):
        config = waiters.get_waiter(name)
        assert (config.delay, config.max_attempts) == (simulate.CLI_DELAY, simulate.CLI_MAX_ATTEMPTS), name
    legacy = botocore.loaders.create_loader().load_data("_retry")["retry"]["__default__"]
    assert legacy["max_attempts"] == many_gates.LEGACY.max_attempts
    standard = botocore.retries.standard
    assert (
        many_gates.BotocoreRetries(standard.DEFAULT_MAX_ATTEMPTS, standard.ExponentialBackoff._MAX_BACKOFF)
        == many_gates.STANDARD
    )
    defaults = inspect.signature(AWSRetry.jittered_backoff).parameters
    assert tuple(defaults[name].default for name in ("retries", "delay", "max_delay")) == (
        many_gates.AWSRETRY_ATTEMPTS,
        many_gates.AWSRETRY_DELAY,
        many_gates.AWSRETRY_MAX_DELAY,
    )
    (task,) = yaml.safe_load((BENCH / "playbooks" / "until_loop.yml").read_text())[0]["tasks"]
    assert task["delay"] == many_gates.UNTIL_DELAY


def test_the_completion_window_holds_whole_periods() -> None:
    """Part 2 says so: no fixed-interval poller is favoured by where a T falls on its grid."""
    for interval in (simulate.CLI_DELAY, simulate.TERRAFORM_INTERVAL):
        assert (simulate.FLIP_WINDOW / interval).is_integer()
