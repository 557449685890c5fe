# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment gate, on the controller (documentation: plugins/modules/cloudfront_invalidation_wait.py).

One task, in one process from start to verdict, as ansible-core's ``reboot`` action waits and
amazon.aws's lookups connect: the action checks its options, makes one AWS session and the
CloudFront clients of the gate from it (plugin_utils/_cloudfront/connection.py), and runs the gate
(module_utils/_cloudfront/gate.py: the lookup, one poll schedule, the verdict) with the requests of
module_utils/_cloudfront/watch.py. A ticker thread (plugin_utils/_cloudfront/job.py) prints the
progress lines that fall due meanwhile, and stops the gate when its job is gone.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import (
    GateError,
    GateOutcome,
    GateSettings,
    Progress,
    gate_settings,
    run_gate,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.watch import GateRequests
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront.connection import (
    GateConnection,
    connection_options,
    environment,
)
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront.job import (
    Ticker,
    once_per_play_error,
    play_hosts,
    play_strategy,
)

display = Display()

ACTION = "edgeops.cloudfront.cloudfront_invalidation_wait"
# The gate's own options, named as the info module names the same ideas (its old names kept as
# aliases); the AWS connection options of amazon.aws.common.modules and amazon.aws.region.modules
# make the gate's connection; anything else is refused. Each target of ``targets`` is checked by
# validation.check_target, the rule the info module's targets follow too.
ARGUMENT_SPEC: dict[str, Any] = dict(
    distribution_id=dict(type="str"),
    distribution_tenant_id=dict(type="str"),
    alias=dict(type="str"),
    invalidation_ids=dict(type="list", elements="str", default=[], aliases=["ids"]),
    # checked by validation.check_paths and check_caller_reference, as the create module checks them
    paths=dict(type="list", elements="str"),
    caller_reference=dict(type="str"),
    targets=dict(type="list", elements="raw"),
    wait_timeout=dict(type="int", default=1800, aliases=["timeout"]),
    progress_interval=dict(type="int", default=50),
    fail_on_timeout=dict(type="bool", default=True),
    option_prefix=dict(type="str", default=""),
)


def names_of(spec: Mapping[str, Any]) -> set[str]:
    """The names an argument spec takes, aliases included."""
    return {name for key, option in spec.items() for name in (key, *option.get("aliases", ()))}


def unsupported_error(given: list[str]) -> str:
    gate = sorted(key for key in ARGUMENT_SPEC if key != "option_prefix")
    return (
        f"Unsupported option(s) for {ACTION}: {', '.join(sorted(given))}"
        f" (from the task or its module_defaults). It takes {', '.join(gate)}, and the AWS connection options"
        f" of amazon.aws modules ({', '.join(sorted(aws_argument_spec()))})"
    )


def gate_arguments(args: Mapping[str, Any]) -> tuple[GateSettings, dict[str, Any]]:
    """The gate's settings and the AWS connection arguments, from the task's arguments; anything
    else, or anything of the wrong type or shape, refused naming it. Raises GateError."""
    own = {key: value for key, value in args.items() if key in names_of(ARGUMENT_SPEC)}
    connection = {key: value for key, value in args.items() if key not in own}
    unsupported = sorted(set(connection) - names_of(aws_argument_spec()))
    if unsupported:
        raise GateError(unsupported_error(unsupported))
    checked = ArgumentSpecValidator(ARGUMENT_SPEC).validate(own)
    if checked.errors.errors:
        # only known options are checked here (the others were refused above): type and shape errors
        raise GateError("; ".join(str(error.error_message) for error in checked.errors.errors))
    params = checked.validated_parameters
    return gate_settings(params, params["option_prefix"]), connection


class ActionModule(ActionBase):
    _supports_check_mode = True  # in check mode the gate creates nothing

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        try:
            settings, connection_args = gate_arguments(self._task.args)
            per_host = once_per_play_error(play_strategy(self._task), play_hosts(task_vars))
            if per_host:
                raise GateError(per_host)
            task_environment: dict[str, str] = {}
            self._compute_environment_string(task_environment)  # type: ignore[no-untyped-call]
        except GateError as e:
            outcome = GateOutcome.refused(e.msg)
        else:
            with environment(task_environment):
                outcome = self._gate(settings, connection_args, bool(self._task.check_mode))
        result.update(outcome.result(), changed=outcome.changed, failed=outcome.failed)
        if outcome.warning:
            result["warnings"] = [outcome.warning]
        return result

    @staticmethod
    def _gate(settings: GateSettings, connection_args: Mapping[str, Any], check_mode: bool) -> GateOutcome:
        """The gate, with its connection made here, once (inside the task's environment)."""
        try:
            api = GateConnection(connection_options(connection_args)).api(budget=settings.timeout)
        except GateError as e:
            return GateOutcome.refused(e.msg)
        progress = Progress(settings.progress_interval, Clock(), display.display)
        api.clock = progress.clock
        return Ticker(progress).run(lambda: run_gate(settings, GateRequests(api, check_mode), progress))
