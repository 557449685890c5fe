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

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api as api_module
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import Report
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info as module_under_test


@pytest.fixture
def no_aws(monkeypatch):
    def refuse(_module):
        raise AssertionError("the module tried to create a CloudFront client")

    monkeypatch.setattr(api_module, "connect", refuse)


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

        api_module.connect, real = connect, api_module.connect
        try:
            api.clients.get()
        finally:
            api_module.connect = real
        self.asked.append(dict(kwargs, api=api, selection=selection, at=api.clock.monotonic(), timeouts=timeouts))
        return self.answer


def test_a_wait_is_given_its_timeout_and_schedule_and_a_client_for_it(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    args = {"distribution_id": "E1", "ids": ["I1"], "wait": True, "timeout": 30, "max_poll_interval": 10}
    run_module(capsys, args, rc=0)
    (asked,) = reported.asked
    assert asked["wait"] is True and asked["wait_timeout"] == 30.0  # the alias of wait_timeout
    assert asked["selection"].invalidation_ids == ["I1"]  # the alias of invalidation_ids
    assert asked["schedule"].max_interval == 10
    assert asked["timeouts"] == [{"connect_timeout": 1.5, "read_timeout": 3.0}]  # a client for 30 s


@pytest.mark.parametrize(
    "protocol",
    [
        {"wait_started": 960.0},
        {"wait_last_poll": 990.0},
        {"wait_pace": 2.5},
        {"wait_deadline": 1030.0},
        {"wait_slice": 20},
    ],
)
def test_the_gates_old_protocol_options_are_gone(capsys, no_aws, protocol):
    """The gate no longer runs the module; what it once gave each run is no option of the module."""
    result = run_module(capsys, {"distribution_id": "E1", "wait": True, **protocol})
    assert "Unsupported parameters" in result["msg"] and next(iter(protocol)) in result["msg"]


def test_a_run_without_a_deadline_retries_throttling_for_the_usual_budget_only(capsys, no_aws, monkeypatch):
    reported = Reported(Report({"invalidations": []}))
    monkeypatch.setattr(module_under_test, "report", reported)
    result = run_module(capsys, {"distribution_id": "E1"}, rc=0)
    (asked,) = reported.asked
    assert asked["api"].throttled_until is None and asked["api"].retry_seconds == 60
    assert asked["timeouts"] == [{"connect_timeout": 3.0, "read_timeout": 6.0}]  # a client for a minute
    # the defaults: no wait (of up to 1800 s, at the schedule's pace), the 100 newest
    assert (asked["wait"], asked["wait_timeout"], asked["selection"].max_items) == (False, 1800.0, 100)
    assert result["changed"] is False


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
