# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment gate: its inputs, its wait, its progress lines and its verdict.

Pure code, run on the controller by the ``cloudfront_invalidation_wait`` action plugin, in its own
process from start to verdict: the requests (looking up the targets, polling what is pending), the
clock and the output are injected, so that unit tests and the benchmark's simulation drive a whole
gate of any length with a fake clock.

The gate decides from its own state only: the invalidations it found when it started, each
updated by the polls that saw it. A poll that failed changes nothing; an invalidation counts as
completed only once a poll has said so. Nothing the gate publishes is read back. Its wait is one
poll schedule (waiter.py), as the info module's: each poll costs its requests, nothing more.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from .create import derived_reference
from .errors import THROTTLING_CODES, TOO_MANY_IN_PROGRESS, TransientCloudFrontError
from .messages import last_poll_cause, pending_text, still_in_progress, timed_out
from .results import Owner
from .validation import (
    check_alias,
    check_at_least,
    check_caller_reference,
    check_id,
    check_ids,
    check_paths,
    check_target,
    check_tenant_id,
    target_ids,
)
from .waiter import PollSchedule, TransientError, wait_for

if TYPE_CHECKING:
    from typing import Protocol

    from .results import Invalidation
    from .waiter import Clock

    class Runner(Protocol):
        """What the gate asks of CloudFront. ``pace``: what throttling left of the lookup's
        requests, for the wait to go on from (waiter.PollSchedule)."""

        @property
        def pace(self) -> float:
            """The pace the lookup's requests left (0 when they were not throttled)."""

        @property
        def changed(self) -> bool:
            """Whether resolving the targets created an invalidation (targets with paths)."""

        def resolve(self, target: Target, deadline: float) -> list[Invalidation]:
            """The target's invalidations: those given by ID, the one created for its paths (or the
            earlier one with its caller reference), or those in progress. Throttled requests are retried
            until ``deadline`` (a time of the gate's clock). Raises GateError."""

        def watch(self, pending: list[Invalidation]) -> Callable[[], list[Invalidation]]:
            """A poll of ``pending`` (as last seen): each call asks CloudFront what it needs to, and
            raises TransientError when it should be tried again later, GateError when the gate
            must end."""


# The keys of an invalidation in the gate's state and result (with whose it is: distribution_id
# or distribution_tenant_id).
KEYS = ("id", "status", "completed")
# A lookup whose throttled requests ended less than this before the gate's deadline ended at it (and a
# create that waited that long for room among the invalidations in progress).
DEADLINE_SLACK = 1.0
WAITED_OUT_CODES = THROTTLING_CODES | {TOO_MANY_IN_PROGRESS}
# The gate's options and the role's variables: wait_for_invalidation_ and the option's short name,
# where the prefix already says what the long one does.
SHORT_NAMES = {"invalidation_ids": "ids", "wait_timeout": "timeout"}


class GateError(Exception):
    """A failure that ends the gate: ``msg`` names the distribution, invalidation or option."""

    def __init__(self, msg: str, code: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code


@dataclass(frozen=True)
class Target:
    """A distribution or a distribution tenant, by ID or by alias (a distribution's alias or a
    tenant's domain), and the invalidations to wait for: by ID, the one to create for ``paths``
    (with ``caller_reference``), or, with neither, those in progress."""

    distribution_id: str | None = None
    alias: str | None = None
    ids: tuple[str, ...] = ()
    distribution_tenant_id: str | None = None
    paths: tuple[str, ...] = ()
    caller_reference: str | None = None

    @property
    def label(self) -> str:
        return self.distribution_id or self.distribution_tenant_id or self.alias or ""

    def describe(self) -> str:
        """``distribution E1: I1, I2``, ``alias www.example.com: those in progress``."""
        if self.distribution_id:
            owner = f"distribution {self.distribution_id}"
        elif self.distribution_tenant_id:
            owner = f"distribution tenant {self.distribution_tenant_id}"
        else:
            owner = f"alias {self.alias}"
        if self.paths:
            shown = ", ".join(self.paths[:3]) + (f" and {len(self.paths) - 3} more" if len(self.paths) > 3 else "")
            return f"{owner}: the invalidation of {shown}"
        return f"{owner}: {', '.join(self.ids) if self.ids else 'those in progress'}"

    @classmethod
    def of(cls, target: Mapping[str, Any], caller_reference: str | None = None) -> Target:
        """A target from a checked mapping (validation.check_target); ``caller_reference``: the gate's,
        for a target with paths and none of its own. The paths of a target with IDs (an earlier run's
        result) are what that run saw: not read."""
        ids = tuple(target_ids(target))
        paths = () if ids else tuple(target.get("paths") or ())
        return cls(
            distribution_id=target.get("distribution_id") or None,
            alias=target.get("alias") or None,
            ids=ids,
            distribution_tenant_id=target.get("distribution_tenant_id") or None,
            paths=paths,
            caller_reference=(target.get("caller_reference") or caller_reference or None) if paths else None,
        )


def describe_targets(targets: Sequence[Target]) -> str:
    return "; ".join(target.describe() for target in targets)


@dataclass
class GateSettings:
    """The gate's inputs, checked (see :func:`gate_settings`)."""

    targets: list[Target]
    timeout: int
    progress_interval: int
    fail_on_timeout: bool = True
    option_prefix: str = ""

    def option(self, name: str) -> str:
        """How the caller named an option: the action's name, or the role's variable."""
        return option_name(name, self.option_prefix)


def option_name(name: str, prefix: str = "") -> str:
    """``wait_timeout``, or with the role's prefix ``wait_for_invalidation_timeout``."""
    return f"{prefix}{SHORT_NAMES.get(name, name)}" if prefix else name


def _given(value: Any) -> bool:
    return value not in (None, "", [], ())


def gate_settings(args: Mapping[str, Any], option_prefix: str = "") -> GateSettings:
    """The gate's inputs from the action's arguments (of the right types, under their own names);
    every rule checked before any call to CloudFront, with a message naming the option as the
    caller named it (``option_prefix``: the role's ``wait_for_invalidation_``). Raises GateError."""

    def name(option: str) -> str:
        return option_name(option, option_prefix)

    ways = [way for way in ("distribution_id", "distribution_tenant_id", "alias", "targets") if _given(args.get(way))]
    if len(ways) != 1:
        raise GateError(
            f"give exactly one of {name('distribution_id')}, {name('distribution_tenant_id')}, {name('alias')}"
            f" and {name('targets')} ({'none was given' if not ways else 'several were given'})"
        )
    for option in ("invalidation_ids", "paths"):
        if ways == ["targets"] and _given(args.get(option)):
            raise GateError(
                f"{name(option)} goes with {name('distribution_id')}, {name('distribution_tenant_id')} or"
                f" {name('alias')}; with {name('targets')} give each target its own {option}"
            )
    if _given(args.get("invalidation_ids")) and _given(args.get("paths")):
        raise GateError(
            f"give {name('paths')} (to create an invalidation and wait for it) or {name('invalidation_ids')}"
            " (to wait for invalidations made before), not both"
        )
    reference = args.get("caller_reference") or None
    error = check_caller_reference(name("caller_reference"), reference)
    if error:
        raise GateError(error)
    for option in ("wait_timeout", "progress_interval"):
        error = check_at_least(name(option), args.get(option), 1)
        if error:
            raise GateError(error)
    if ways == ["targets"]:
        targets = []
        for index, target in enumerate(args["targets"]):
            error = check_target(f"{name('targets')}[{index}]", target, creates=True)
            if error:
                raise GateError(error)
            targets.append(Target.of(target, reference))
    else:
        ids = list(args.get("invalidation_ids") or [])
        error = (
            check_id(name("distribution_id"), args.get("distribution_id") or None)
            or check_tenant_id(name("distribution_tenant_id"), args.get("distribution_tenant_id") or None)
            or check_alias(name("alias"), args.get("alias") or None)
            or (check_ids(name("invalidation_ids"), ids) if ids else None)
            or check_paths(name("paths"), args.get("paths") or None)
        )
        if error:
            raise GateError(error)
        targets = [Target.of({**args, "invalidation_ids": ids}, reference)]
    return GateSettings(
        targets=_own_references(targets, args.get("targets") or [], name("targets")),
        timeout=int(args["wait_timeout"]),
        progress_interval=int(args["progress_interval"]),
        fail_on_timeout=bool(args.get("fail_on_timeout", True)),
        option_prefix=option_prefix,
    )


def _own_references(targets: list[Target], given: Sequence[Any], option: str) -> list[Target]:
    """Targets that create an invalidation, each on its own distribution or tenant (two would be one
    batch), and each with its own caller reference: the gate's, shared by several, becomes one per
    target (create.derived_reference), so that one target's create never answers another's."""
    creating = [(index, target) for index, target in enumerate(targets) if target.paths]
    seen: dict[str, int] = {}
    for index, target in creating:
        if target.label in seen:
            raise GateError(
                f"{option}[{seen[target.label]}] and {option}[{index}] both create an invalidation of"
                f" {target.label}: give their paths in one target"
            )
        seen[target.label] = index
    if len(creating) < 2:
        return targets
    shared = [
        index
        for index, target in creating
        if target.caller_reference
        and not (index < len(given) and isinstance(given[index], Mapping) and given[index].get("caller_reference"))
    ]
    return [
        replace(target, caller_reference=derived_reference(str(target.caller_reference), target.label))
        if index in shared
        else target
        for index, target in enumerate(targets)
    ]


@dataclass
class GateState:
    """The invalidations the gate waits for, as last seen, in the order found."""

    invalidations: dict[tuple[Owner, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, target: Target, found: list[Invalidation]) -> None:
        """What resolving ``target`` found: the given IDs, or the one created for its paths, all of
        them; neither, those in progress now (invalidations created later do not hold the gate)."""
        for invalidation in found:
            if target.ids or target.paths or not invalidation["completed"]:
                self._set(invalidation)

    def update(self, seen: list[Invalidation]) -> None:
        """What a poll saw; only invalidations the gate waits for count."""
        for invalidation in seen:
            if _key(invalidation) in self.invalidations:
                self._set(invalidation)

    def _set(self, invalidation: Invalidation) -> None:
        owner = Owner.of(invalidation)
        shaped: dict[str, Any] = {owner.key: owner.id}
        shaped.update((k, invalidation[k]) for k in KEYS)  # type: ignore[literal-required]
        self.invalidations[_key(invalidation)] = shaped

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [i for i in self.invalidations.values() if not i["completed"]]

    @property
    def completed(self) -> bool:
        return not self.pending

    def listed(self) -> list[dict[str, Any]]:
        return [dict(i) for i in self.invalidations.values()]

    def progress_line(self, elapsed: float) -> str:
        done = len(self.invalidations) - len(self.pending)
        line = f"{done} of {len(self.invalidations)} CloudFront invalidation(s) completed after {elapsed:.1f}s"
        return f"{line}; still in progress: {pending_text(self.pending)}" if self.pending else line


def _key(invalidation: Invalidation) -> tuple[Owner, str]:
    return Owner.of(invalidation), invalidation["id"]


class Progress:
    """The progress lines: one at once, one at least every ``interval`` seconds, and one as soon
    as a poll learns that more invalidations are completed. While the gate looks up what to wait
    for (which throttling can stretch), the lines say so. Thread-safe: a ticker thread calls
    :meth:`tick` while the gate waits for its next poll or an answer, the gate calls :meth:`update`."""

    def __init__(self, interval: float, clock: Clock, say: Callable[[str], None]) -> None:
        self.interval = interval
        self.clock = clock
        self.say = say
        self.start = clock.monotonic()
        self._lock = threading.Lock()
        self._state: GateState | None = None
        self._looking_up: str | None = None
        self._last_line = self.start
        self._last_done = 0

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.start

    def seconds_until_due(self) -> float:
        with self._lock:
            return max(0.0, self._last_line + self.interval - self.clock.monotonic())

    def looking_up(self, targets: str, timeout: int) -> None:
        """The gate begins by looking up ``targets``: a line now, and one per interval until :meth:`begin`."""
        with self._lock:
            self._looking_up = targets
            self._last_line = self.clock.monotonic()
            self.say(f"Looking up the CloudFront invalidations to wait for (up to {timeout}s): {targets}")

    def begin(self, state: GateState, line: str) -> None:
        """The wait begins: ``line`` says what the gate waits for; lines are due from now on."""
        with self._lock:
            self._state = state
            self._last_line = self.clock.monotonic()
            self.say(line)

    def update(self, state: GateState, force: bool = False) -> None:
        """After a poll: a line if more are completed, if half an interval has passed, or if ``force``."""
        with self._lock:
            self._state = state
            done = len(state.invalidations) - len(state.pending)
            now = self.clock.monotonic()
            if force or done > self._last_done or now - self._last_line >= self.interval / 2:
                self._say(state, now)

    def tick(self) -> None:
        """A line if an interval has passed since the last one: the state of the last poll, or
        that the lookup goes on. Lines fall due an interval apart: a late wake-up (a busy machine)
        does not push every later line back, unless it is a whole interval late."""
        with self._lock:
            now = self.clock.monotonic()
            due = self._last_line + self.interval
            if now < due:
                return
            at = due if now - due < self.interval else now
            if self._state is not None:
                self._say(self._state, now, at)
            else:
                self._last_line = at
                if self._looking_up is not None:
                    still = f"Still looking up the CloudFront invalidations to wait for after {now - self.start:.1f}s"
                    self.say(f"{still}: {self._looking_up}")

    def _say(self, state: GateState, now: float, at: float | None = None) -> None:
        """Say where things stand at ``now``; the next line is due an interval after ``at`` (default: now)."""
        self._last_line = now if at is None else at
        self._last_done = len(state.invalidations) - len(state.pending)
        self.say(state.progress_line(now - self.start))


@dataclass
class GateOutcome:
    """How the gate ended. ``failed``: the task fails (a hard timeout, or any other failure)."""

    completed: bool
    timed_out: bool
    failed: bool
    elapsed: float
    invalidations: list[dict[str, Any]]
    msg: str
    error_code: str | None = None
    warning: str | None = None
    # the gate created an invalidation (targets with paths)
    changed: bool = False

    @classmethod
    def refused(cls, msg: str) -> GateOutcome:
        """A gate that failed before it asked CloudFront anything (bad input, no connection)."""
        return cls(False, False, True, 0.0, [], msg)

    def result(self) -> dict[str, Any]:
        """The gate's result, as the role sets and publishes it."""
        result: dict[str, Any] = {
            "completed": self.completed,
            "timed_out": self.timed_out,
            "elapsed": self.elapsed,
            "invalidations": self.invalidations,
            "msg": self.msg,
        }
        if self.error_code:
            result["error_code"] = self.error_code
        return result


def run_gate(
    settings: GateSettings,
    runner: Runner,
    progress: Progress,
    schedule: PollSchedule | None = None,
    rand: Callable[[], float] | None = None,
) -> GateOutcome:
    """Look up the targets, then poll until every invalidation is completed or the timeout has
    passed, counted from ``progress.start``, on one poll schedule (the lookup counts as its first
    poll). Never raises GateError: a failure is an outcome, with the invalidations as last seen.
    Throttling that outlasts the timeout while the targets are looked up is a timeout, as
    invalidations still in progress are. A target with paths has its invalidation created first
    (``changed``, whatever the ending)."""
    outcome = _gate(settings, runner, progress, schedule, rand)
    outcome.changed = runner.changed
    return outcome


def _gate(
    settings: GateSettings,
    runner: Runner,
    progress: Progress,
    schedule: PollSchedule | None,
    rand: Callable[[], float] | None,
) -> GateOutcome:
    clock = progress.clock
    deadline = progress.start + settings.timeout
    state = GateState()
    progress.looking_up(describe_targets(settings.targets), settings.timeout)
    last_error: TransientError | None = None
    try:
        for index, target in enumerate(settings.targets):
            try:
                found = runner.resolve(target, deadline)
            except GateError as e:
                if e.code in WAITED_OUT_CODES and deadline - clock.monotonic() < DEADLINE_SLACK:
                    unresolved = Unresolved(settings.targets[index:], e.msg)
                    return verdict(settings, state, _rounded(progress), unresolved)
                raise
            state.add(target, found)
        waiting = f"Waiting up to {settings.timeout}s for {len(state.pending)} CloudFront invalidation(s) in progress"
        progress.begin(state, f"{waiting}: {pending_text(state.pending)}" if state.pending else waiting)
        if state.pending:
            poll = runner.watch([dict(i) for i in state.pending])  # type: ignore[misc]

            def polled() -> GateState:
                state.update(poll())
                progress.update(state, force=state.completed)
                return state

            outcome = wait_for(
                polled,
                lambda seen: seen.completed,
                max(0.0, deadline - clock.monotonic()),
                schedule=schedule,
                clock=clock,
                rand=rand,
                waited_before=progress.elapsed(),  # the lookup was the schedule's first poll
                since_last_poll=0.0,
                pace=runner.pace,
            )
            last_error = outcome.last_error
            if not state.completed:
                progress.update(state, force=True)
    except GateError as e:
        return GateOutcome(False, False, True, _rounded(progress), state.listed(), e.msg, error_code=e.code)
    cause = last_error if isinstance(last_error, TransientCloudFrontError) else None
    return verdict(settings, state, _rounded(progress), cause=cause)


def _rounded(progress: Progress) -> float:
    return round(progress.elapsed(), 1)


@dataclass(frozen=True)
class Unresolved:
    """Targets the gate could not look up before its deadline, and why (CloudFront's last answer)."""

    targets: Sequence[Target]
    cause: str


def verdict(
    settings: GateSettings,
    state: GateState,
    elapsed: float,
    unresolved: Unresolved | None = None,
    cause: TransientCloudFrontError | None = None,
) -> GateOutcome:
    """Completed, or a timeout that fails the gate (or, for a soft gate, lets it open): the wait of
    :func:`run_gate` ends with invalidations still in progress, or targets not looked up, only at
    the gate's deadline. ``cause``: what the last poll failed with, if it failed."""
    count = len(state.invalidations)
    if state.completed and unresolved is None:
        msg = f"{count} of {count} CloudFront invalidation(s) completed after {elapsed}s"
        return GateOutcome(True, False, False, elapsed, state.listed(), msg)
    left = []
    if state.pending:
        left.append(still_in_progress(state.listed()))
    if unresolved is not None:
        done = "created" if all(target.paths for target in unresolved.targets) else "looked up"
        left.append(
            f"CloudFront invalidations not {done} yet ({unresolved.cause}): {describe_targets(unresolved.targets)}"
        )
    still = "; and ".join(left) + last_poll_cause(cause)
    soft = not settings.fail_on_timeout
    msg = timed_out(elapsed, settings.option("wait_timeout"), settings.timeout, still, soft=soft)
    return GateOutcome(False, True, not soft, elapsed, state.listed(), msg, warning=msg if soft else None)
