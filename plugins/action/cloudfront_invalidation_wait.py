# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment gate's loop, on the controller (documentation: plugins/modules/cloudfront_invalidation_wait.py).

ansible-core's ``reboot`` action plugin is the model: one task that runs modules until a
deadline. Here each round is a run of ``cloudfront_invalidation_info`` that waits a slice of
the whole wait; the rounds, the progress lines and the verdict are the pure code of
module_utils/_cloudfront/gate.py. A ticker thread (plugin_utils/_cloudfront/job.py) prints a
progress line whenever a progress interval passes without one, also while a module run is
waiting, and stops the gate when its job is gone.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleValidationError, UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import (
    GateError,
    GateOutcome,
    Progress,
    Resume,
    SliceResult,
    gate_settings,
    run_gate,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront.job import (
    Ticker,
    once_per_play_error,
    play_hosts,
    play_strategy,
)

if TYPE_CHECKING:
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import Target
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Invalidation

display = Display()

MODULE = "edgeops.cloudfront.cloudfront_invalidation_info"
ACTION = "edgeops.cloudfront.cloudfront_invalidation_wait"
_TARGET = dict(
    distribution_id=dict(type="str"),
    distribution_tenant_id=dict(type="str"),
    alias=dict(type="str"),
    ids=dict(type="list", elements="str", default=[]),
)
# The gate's own options; the AWS connection options of amazon.aws.common.modules and
# amazon.aws.region.modules go to each module run as they are; anything else is refused.
ARGUMENT_SPEC: dict[str, Any] = dict(
    distribution_id=dict(type="str"),
    distribution_tenant_id=dict(type="str"),
    alias=dict(type="str"),
    ids=dict(type="list", elements="str", default=[]),
    targets=dict(type="list", elements="dict", options=_TARGET),
    timeout=dict(type="int", default=1800),
    progress_interval=dict(type="int", default=50),
    fail_on_timeout=dict(type="bool", default=True),
    option_prefix=dict(type="str", default=""),
)


def connection_options() -> set[str]:
    """The names of amazon.aws's AWS connection options, aliases included, as its modules take them."""
    return {name for key, option in aws_argument_spec().items() for name in (key, *option.get("aliases", ()))}


def validation_message(error: AnsibleValidationError) -> str:
    """An error of the argument spec, saying which option is unsupported, as a module would."""
    if isinstance(error, UnsupportedError):
        return f"Unsupported option(s) for {ACTION}: {error.error_message}"
    return str(error.error_message)


def unsupported_error(given: list[str]) -> str:
    gate = sorted(key for key in ARGUMENT_SPEC if key != "option_prefix")
    return (
        f"Unsupported option(s) for {ACTION}: {', '.join(sorted(given))}"
        f" (from the task or its module_defaults). It takes {', '.join(gate)}, and the AWS connection options"
        f" of amazon.aws modules ({', '.join(sorted(aws_argument_spec()))})"
    )


class ModuleRunner:
    """The gate's requests to CloudFront: runs of ``cloudfront_invalidation_info`` through the
    task's connection (on the controller, where the role delegates the gate)."""

    def __init__(self, action: ActionModule, connection_args: dict[str, Any], task_vars: dict[str, Any]) -> None:
        self.action = action
        self.connection_args = connection_args
        self.task_vars = task_vars

    def _run(self, args: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.action._execute_module(
            module_name=MODULE, module_args={**self.connection_args, **args}, task_vars=self.task_vars
        )
        return result

    @staticmethod
    def _error(result: dict[str, Any]) -> GateError:
        return GateError(failure_message(result), result.get("error_code"))

    def resolve(self, target: Target, timeout: float) -> list[Invalidation]:
        """The target's invalidations: those given, or those in progress (for what is in progress,
        not for the distribution's history: ``in_progress_only``). Throttled requests are retried
        up to the gate's deadline (``wait_deadline``): many gates starting together share the
        account's rate limit, and none fails for it before its timeout."""
        args: dict[str, Any] = {"wait_deadline": time.time() + timeout}
        if target.distribution_id:
            args["distribution_id"] = target.distribution_id
        elif target.distribution_tenant_id:
            args["distribution_tenant_id"] = target.distribution_tenant_id
        else:
            args["alias"] = target.alias
        if target.ids:
            args["invalidation_ids"] = list(target.ids)
        else:
            args["in_progress_only"] = True
        result = self._run(args)
        if result.get("failed"):
            raise self._error(result)
        found: list[Invalidation] = result.get("invalidations") or []
        return found

    def wait(self, pending: list[dict[str, Any]], timeout: float, slice_seconds: int, where: Resume) -> SliceResult:
        now = time.time()  # wall times: the module runs in another process
        args: dict[str, Any] = {
            # as the gate last saw them: the run goes on from there, without reading them again
            "targets": [
                {
                    key: i[key]
                    for key in ("distribution_id", "distribution_tenant_id", "id", "status", "completed")
                    if key in i
                }
                for i in pending
            ],
            "wait": True,
            "wait_timeout": max(1, math.ceil(timeout)),
            # the gate's deadline, whatever the module's start takes on a busy controller
            "wait_deadline": now + timeout,
            "wait_slice": slice_seconds,
            # the schedule goes on where the last round left it: its time, its pace, its last poll
            "wait_started": now - where.waited,
            "wait_pace": where.pace,
        }
        if where.last_poll is not None:
            args["wait_last_poll"] = where.last_poll
        result = self._run(args)
        seen: list[Invalidation] = result.get("invalidations") or []
        if result.get("failed") and not result.get("timed_out"):
            raise self._error(result)
        return SliceResult(
            seen,
            timed_out=bool(result.get("timed_out")),
            pace=float(result.get("pace") or where.pace),
            last_poll=result.get("last_poll"),
        )


def failure_message(result: dict[str, Any]) -> str:
    """A failed module run's message, with its cause: the module's own message where it gave one
    (it names the distribution or invalidation); for a run that crashed, its exit status and the
    last line of its exception or of its standard error."""
    msg = str(result.get("msg") or "").strip()
    if result.get("error_code") or not any(result.get(key) for key in ("exception", "module_stderr", "rc")):
        return msg or "cloudfront_invalidation_info failed"
    cause = [f"rc={result['rc']}"] if result.get("rc") is not None else []
    for key in ("exception", "module_stderr", "module_stdout"):
        lines = [line.strip() for line in _text(result.get(key)).splitlines() if line.strip()]
        if lines:
            cause.append(f"{key}: {lines[-1]}")
            break
    return f"cloudfront_invalidation_info failed ({'; '.join(cause)})" + (f": {msg}" if msg else "")


def _text(value: Any) -> str:
    """A value of a module result as text. ansible-core 2.19 and later give a module's exception as a
    summary, whose event holds the traceback; earlier ones, the traceback itself."""
    event = getattr(value, "event", None)
    if event is not None:
        return str(getattr(event, "formatted_traceback", None) or getattr(event, "msg", None) or "")
    return str(value or "")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # the module only reads

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        args = self._task.args
        own = {key: value for key, value in args.items() if key in ARGUMENT_SPEC}
        connection_args = {key: value for key, value in args.items() if key not in ARGUMENT_SPEC}
        clock = Clock()
        progress = Progress(1, clock, display.display)  # the interval is set once the inputs are checked
        checked = ArgumentSpecValidator(ARGUMENT_SPEC).validate(own)
        try:
            unsupported = sorted(set(connection_args) - connection_options())
            if unsupported:
                raise GateError(unsupported_error(unsupported))
            if checked.errors.errors:
                raise GateError("; ".join(validation_message(error) for error in checked.errors.errors))
            settings = gate_settings(checked.validated_parameters, checked.validated_parameters["option_prefix"])
            per_host = once_per_play_error(play_strategy(self._task), play_hosts(task_vars))
            if per_host:
                raise GateError(per_host)
        except GateError as e:
            outcome = GateOutcome(False, False, True, 0.0, [], e.msg)
        else:
            progress.interval = settings.progress_interval
            runner = ModuleRunner(self, connection_args, task_vars)
            outcome = Ticker(progress).run(lambda: run_gate(settings, runner, progress))
        result.update(outcome.result(), changed=False, failed=outcome.failed)
        if outcome.warning:
            result["warnings"] = [outcome.warning]
        return result
