# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module refuses bad input before it creates a client or calls CloudFront, and hands the report
what it was asked (a wait round's deadline, schedule and defaults); ``report`` is stood in for: no network."""

from __future__ import annotations

import json
import runpy
from unittest.mock import MagicMock

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import Report
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info as module_under_test


@pytest.fixture
def no_aws(monkeypatch):
    def refuse(_module):
        raise AssertionError("the module tried to create a CloudFront client")

    monkeypatch.setattr(module_under_test, "connect", refuse)


def run_module(capsys, args, rc=1):
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        module_under_test.main()
    assert exit_info.value.code == rc
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "args, words",
    [
        ({}, "one of the following is required: distribution_id, distribution_tenant_id, alias"),
        (
            {"distribution_id": "E1", "alias": "www.example.com"},
            "mutually exclusive: distribution_id|distribution_tenant_id|alias",
        ),
        ({"distribution_tenant_id": "E1"}, "distribution_tenant_id 'E1' is not a CloudFront distribution tenant ID"),
        ({"distribution_id": "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"}, "is the ID of a distribution tenant"),
        (
            {"distribution_id": "E1", "invalidation_id": "I1", "caller_reference": "r"},
            "mutually exclusive: invalidation_id|invalidation_ids|caller_reference",
        ),
        ({"distribution_id": "e1"}, "distribution_id 'e1' is not a CloudFront ID"),
        ({"distribution_id": ""}, "distribution_id must not be empty"),
        ({"distribution_id": "E1", "invalidation_ids": ["I1", "i 2"]}, "invalidation_ids[1]"),
        ({"distribution_id": "E1", "wait_timeout": 0}, "wait_timeout must be at least 1"),
        ({"distribution_id": "E1", "wait_timeout": "soon"}, "wait_timeout"),
        ({"distribution_id": "E1", "colour": "blue"}, "Unsupported parameters"),
    ],
)
def test_bad_input_fails_before_any_client(capsys, no_aws, args, words):
    result = run_module(capsys, args)
    assert result["failed"] is True
    assert words in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def test_several_errors_are_reported_together(capsys, no_aws):
    result = run_module(capsys, {"distribution_id": "bad", "max_items": -1})
    assert "distribution_id 'bad'" in result["msg"] and "max_items must be at least 0" in result["msg"]


@pytest.mark.parametrize(
    "wait_timeout, deadline, expected",
    [
        (600, None, 600.0),  # no deadline: the whole wait_timeout
        (600, 1030.0, 30.0),  # the deadline comes first
        (20, 1030.0, 20.0),  # wait_timeout comes first
        (600, 995.0, 0.0),  # a deadline already past: no time at all, not a second more
    ],
)
def test_a_run_waits_until_its_deadline_at_the_latest(monkeypatch, wait_timeout, deadline, expected):
    monkeypatch.setattr(module_under_test.time, "time", lambda: 1000.0)
    assert module_under_test.timeout_of(wait_timeout, deadline) == expected


class FakeClient:
    """A client that is never called: ``meta.events.register`` is all the module asks of it."""

    def __init__(self) -> None:
        self.meta = MagicMock()


class Reported:
    """Stands for ``report``: records what the module asked it (and the timeouts of the client it
    would use), and answers ``answer``."""

    def __init__(self, answer: Report) -> None:
        self.answer = answer
        self.asked: list[dict] = []

    def __call__(self, api, selection, **kwargs):
        timeouts: list[dict] = []

        def connect(_module, **given):
            timeouts.append(given)
            return FakeClient()

        module_under_test.connect, real = connect, module_under_test.connect
        try:
            api.clients.get()
        finally:
            module_under_test.connect = real
        self.asked.append(dict(kwargs, api=api, selection=selection, at=api.clock.monotonic(), timeouts=timeouts))
        return self.answer


def test_the_last_poll_is_the_wall_time_of_the_waits_last_poll_to_the_millisecond(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": [], "completed": True}, last_poll_age=0.25))
    monkeypatch.setattr(module_under_test, "report", reported)
    monkeypatch.setattr(module_under_test.time, "time", lambda: 1000.123456)
    result = run_module(capsys, {"distribution_id": "E1", "wait": True}, rc=0)
    assert reported.asked[0]["wait"] is True
    assert result["last_poll"] == 999.873  # 0.25 s before the run's end, in epoch seconds
    assert result["api_calls"] == 0 and result["completed"] is True


def test_a_wait_round_goes_on_where_the_gate_left_it_and_keeps_to_its_deadline(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    monkeypatch.setattr(module_under_test.time, "time", lambda: 1000.0)
    args = {
        "targets": [{"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False}],
        "wait": True,
        "wait_timeout": 600,
        "wait_deadline": 1030.0,
        "wait_started": 960.0,
        "wait_last_poll": 990.0,
        "wait_pace": 2.5,
        "wait_slice": 20,
    }
    result = run_module(capsys, args, rc=0)
    (asked,) = reported.asked
    assert asked["wait"] is True and asked["wait_timeout"] == 30.0  # to the deadline, not 600 s
    assert (asked["waited_before"], asked["since_last_poll"], asked["pace"], asked["wait_slice"]) == (
        40.0,
        10.0,
        2.5,
        20,
    )
    assert asked["schedule"].max_interval == 20  # max_poll_interval's default
    # throttled requests are retried until the deadline, 30 s from the run's start on its own clock,
    # other passing failures for the usual minute but not past it
    assert asked["api"].throttled_until - asked["at"] == pytest.approx(30.0, abs=1.0)
    assert asked["api"].retry_seconds == 30.0
    assert asked["timeouts"] == [{"connect_timeout": 1.5, "read_timeout": 3.0}]  # a client for 30 s
    assert "last_poll" not in result  # the report saw no poll


def test_a_run_without_a_deadline_retries_throttling_for_the_usual_budget_only(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    result = run_module(capsys, {"distribution_id": "E1"}, rc=0)
    (asked,) = reported.asked
    assert asked["api"].throttled_until is None and asked["api"].retry_seconds == 60
    assert asked["timeouts"] == [{"connect_timeout": 3.0, "read_timeout": 6.0}]  # a client for a minute
    # the defaults: no wait (of up to 1800 s, at the schedule's pace), the 100 newest
    assert (asked["wait"], asked["wait_timeout"], asked["pace"], asked["selection"].max_items) == (
        False,
        1800.0,
        1.0,
        100,
    )
    assert asked["waited_before"] == 0.0 and asked["since_last_poll"] is None
    assert result["changed"] is False


def test_a_deadline_already_past_leaves_no_time_for_any_retry(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    monkeypatch.setattr(module_under_test.time, "time", lambda: 1000.0)
    run_module(capsys, {"distribution_id": "E1", "wait_deadline": 995.0}, rc=0)
    (asked,) = reported.asked
    assert asked["api"].retry_seconds == 0.0 and asked["wait_timeout"] == 0.0
    assert asked["api"].throttled_until - asked["at"] == pytest.approx(0.0, abs=1.0)


def test_a_cloudfront_error_fails_the_run_with_its_message_code_and_request_id(capsys, no_aws, monkeypatch):
    def fails(_api, _selection, **_kwargs):
        raise CloudFrontError("CloudFront distribution E1 does not exist", "NoSuchDistribution", "req-1")

    monkeypatch.setattr(module_under_test, "report", fails)
    result = run_module(capsys, {"distribution_id": "E1"})
    assert result["msg"] == "CloudFront distribution E1 does not exist"
    assert (result["error_code"], result["request_id"], result["api_calls"]) == ("NoSuchDistribution", "req-1", 0)


def test_the_module_reads_in_check_mode(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    result = run_module(capsys, {"distribution_id": "E1", "_ansible_check_mode": True}, rc=0)
    assert len(reported.asked) == 1 and "skipped" not in result


# runpy runs the module again under the name __main__, beside the copy the tests imported: as AnsiballZ does
@pytest.mark.filterwarnings("ignore:.*found in sys.modules after import of package:RuntimeWarning")
def test_the_module_runs_when_run_as_a_script_as_ansiballz_runs_it(capsys):
    with patch_module_args({}), pytest.raises(SystemExit) as exit_info:
        runpy.run_module(module_under_test.__name__, run_name="__main__", alter_sys=True)
    assert exit_info.value.code == 1 and "one of the following is required" in capsys.readouterr().out


def test_an_awx_security_token_is_used_and_never_shown(capsys, no_aws, monkeypatch):
    token = "FwoGZXIvYXdzEXAMPLETOKEN"
    monkeypatch.setenv("AWS_SECURITY_TOKEN", token)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    reported = Reported(Report({"invalidations": [], "echo": token}))  # type: ignore[typeddict-unknown-key]
    monkeypatch.setattr(module_under_test, "report", reported)
    out = run_module(capsys, {"distribution_id": "E1", "access_key": "ASIAEXAMPLE"}, rc=0)
    assert token not in json.dumps(out)  # masked wherever it appears, as if it had been given as session_token


@pytest.mark.parametrize(
    "params, owner",
    [
        ({"distribution_tenant_id": "dt_x1", "distribution_id": None}, Owner("dt_x1", tenant=True)),
        ({"distribution_tenant_id": None, "distribution_id": "E1"}, Owner("E1")),
    ],
)
def test_the_owner_is_the_tenant_or_the_distribution_given(params, owner):
    assert module_under_test.owner_of(params, None) == owner  # type: ignore[arg-type]


@pytest.mark.parametrize("started, waited", [(None, 0.0), (960.0, 40.0), (999.5, 0.5), (1010.0, 0.0)])
def test_the_time_already_waited_is_counted_from_the_wait_start_and_never_negative(monkeypatch, started, waited):
    monkeypatch.setattr(module_under_test.time, "time", lambda: 1000.0)
    assert module_under_test.waited_before(started) == waited
