# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment gate: its inputs, its rounds, its progress lines and its verdict.

Pure code, run on the controller by the ``cloudfront_invalidation_wait`` action plugin: the
module runs (resolving the targets, waiting a slice), the clock and the output are injected,
so that unit tests drive a whole gate of any length with a fake clock.

The gate decides from its own state only: the invalidations it found when it started, each
updated by the polls that saw it.  A round in which no poll succeeded changes nothing; an
invalidation counts as completed only once a poll has said so.  Nothing the gate publishes
is read back.  The loop is flat: whatever the number of rounds, the gate is one task, and
each round costs the same.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, cast

from .errors import THROTTLING_CODES
from .results import Owner
from .validation import check_alias, check_at_least, check_id, check_ids, check_tenant_id

if TYPE_CHECKING:
    from typing import Protocol

    from .results import Invalidation
    from .waiter import Clock

    class Runner(Protocol):
        """What the gate asks of CloudFront, through the ``cloudfront_invalidation_info`` module."""

        def resolve(self, target: Target, timeout: float) -> list[Invalidation]:
            """The target's invalidations: those given by ID, or those in progress. ``timeout``: seconds
            to the gate's deadline, until which a throttled request is retried."""

        def wait(self, pending: list[dict[str, Any]], timeout: float, slice_seconds: int, where: Resume) -> SliceResult:
            """Wait for ``pending`` (as last seen) for at most ``slice_seconds``, and ``timeout`` seconds
            from now (the gate's deadline, which the module run must keep whatever its start takes);
            ``where``: where the last round left the schedule."""


# A module run waits at least this long (its slice): each run costs a module start (about a
# second of the controller's CPU), so a short progress interval makes more lines, not more runs.
MIN_SLICE = 20
# The keys of an invalidation in the gate's state and result (with whose it is: distribution_id
# or distribution_tenant_id).
KEYS = ("id", "status", "completed")
# A lookup whose throttled requests ended less than this before the gate's deadline ended at it
# (the module run's clock and the gate's are read a moment apart).
DEADLINE_SLACK = 1.0


class GateError(Exception):
    """A failure that ends the gate: ``msg`` names the distribution, invalidation or option."""

    def __init__(self, msg: str, code: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code


@dataclass(frozen=True)
class Target:
    """A distribution or a distribution tenant, by ID or by alias (a distribution's alias or a
    tenant's domain), and the invalidations to wait for (none: those in progress)."""

    distribution_id: str | None = None
    alias: str | None = None
    ids: tuple[str, ...] = ()
    distribution_tenant_id: str | None = None

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
        return f"{owner}: {', '.join(self.ids) if self.ids else 'those in progress'}"


def describe_targets(targets: Sequence[Target]) -> str:
    return "; ".join(target.describe() for target in targets)


@dataclass
class Resume:
    """Where a round leaves the wait's schedule, for the next one: the seconds since the gate
    started, the pace (slower after throttling) and the wall time of the last poll."""

    waited: float
    pace: float = 1.0
    last_poll: float | None = None


@dataclass
class SliceResult:
    """What one module run saw: ``invalidations`` as polled (empty when no poll succeeded),
    whether its wait ended at its deadline, and its pace and last poll at its end."""

    invalidations: list[Invalidation]
    timed_out: bool = False
    pace: float = 1.0
    last_poll: float | None = None


@dataclass
class GateSettings:
    """The gate's inputs, checked (see :func:`gate_settings`)."""

    targets: list[Target]
    timeout: int
    progress_interval: int
    fail_on_timeout: bool = True
    option_prefix: str = ""

    @property
    def slice_seconds(self) -> int:
        return max(self.progress_interval, MIN_SLICE)

    def option(self, name: str) -> str:
        return f"{self.option_prefix}{name}"


def _given(value: Any) -> bool:
    return value not in (None, "", [], ())


def gate_settings(args: Mapping[str, Any], option_prefix: str = "") -> GateSettings:
    """The gate's inputs from the action's arguments (already of the right types); every rule
    checked before any call to CloudFront, with a message naming the option as the caller
    named it (``option_prefix``: the role's ``wait_for_invalidation_``). Raises GateError."""

    def name(option: str) -> str:
        return f"{option_prefix}{option}"

    ways = [way for way in ("distribution_id", "distribution_tenant_id", "alias", "targets") if _given(args.get(way))]
    if len(ways) != 1:
        raise GateError(
            f"give exactly one of {name('distribution_id')}, {name('distribution_tenant_id')}, {name('alias')}"
            f" and {name('targets')} ({'none was given' if not ways else 'several were given'})"
        )
    if ways == ["targets"] and _given(args.get("ids")):
        raise GateError(
            f"{name('ids')} goes with {name('distribution_id')}, {name('distribution_tenant_id')} or {name('alias')};"
            f" with {name('targets')} give each target its own ids"
        )
    for option in ("timeout", "progress_interval"):
        error = check_at_least(name(option), args.get(option), 1)
        if error:
            raise GateError(error)
    if ways == ["targets"]:
        given: Sequence[Mapping[str, Any]] = args["targets"]
        targets = [_target(target, name, f"{name('targets')}[{index}]") for index, target in enumerate(given)]
    else:
        targets = [_target(args, name)]
    return GateSettings(
        targets=targets,
        timeout=int(args["timeout"]),
        progress_interval=int(args["progress_interval"]),
        fail_on_timeout=bool(args.get("fail_on_timeout", True)),
        option_prefix=option_prefix,
    )


def _target(target: Mapping[str, Any], name: Callable[[str], str], item: str | None = None) -> Target:
    """One target, checked with the module's rules for IDs (validation.py). ``item``: the
    target's place in ``targets`` (``targets[1]``); None for the gate's own options."""
    distribution_id = target.get("distribution_id") or None
    tenant_id = target.get("distribution_tenant_id") or None
    alias = target.get("alias") or None
    ids = list(target.get("ids") or [])
    if item is not None and sum(x is not None for x in (distribution_id, tenant_id, alias)) != 1:
        raise GateError(f"{item}: give exactly one of distribution_id, distribution_tenant_id and alias")

    def sub(key: str) -> str:
        return name(key) if item is None else f"{item}.{key}"

    error = (
        check_id(sub("distribution_id"), distribution_id)
        or check_tenant_id(sub("distribution_tenant_id"), tenant_id)
        or check_alias(sub("alias"), alias)
        or (check_ids(sub("ids"), ids) if ids else None)
    )
    if error:
        raise GateError(error)
    return Target(distribution_id=distribution_id, alias=alias, ids=tuple(ids), distribution_tenant_id=tenant_id)


@dataclass
class GateState:
    """The invalidations the gate waits for, as last seen, in the order found."""

    invalidations: dict[tuple[Owner, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, target: Target, found: list[Invalidation]) -> None:
        """What resolving ``target`` found: the given IDs, all of them; no IDs, those in progress
        now (invalidations created later do not hold the gate)."""
        for invalidation in found:
            if target.ids or not invalidation["completed"]:
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

    def pending_text(self) -> str:
        """``distribution E1: I1, I2; distribution tenant dt_x: I3``."""
        by_owner: dict[Owner, list[str]] = {}
        for invalidation in self.pending:
            by_owner.setdefault(Owner.of(cast("Invalidation", invalidation)), []).append(invalidation["id"])
        return "; ".join(f"{owner}: {', '.join(ids)}" for owner, ids in by_owner.items())

    def progress_line(self, elapsed: float) -> str:
        done = len(self.invalidations) - len(self.pending)
        line = f"{done} of {len(self.invalidations)} CloudFront invalidation(s) completed after {elapsed:.1f}s"
        return f"{line}; still in progress: {self.pending_text()}" if self.pending else line


def _key(invalidation: Invalidation) -> tuple[Owner, str]:
    return Owner.of(invalidation), invalidation["id"]


class Progress:
    """The progress lines: one at once, one at least every ``interval`` seconds, and one as soon
    as a round learns that more invalidations are completed. While the gate looks up what to wait
    for (which throttling can stretch), the lines say so. Thread-safe: a ticker thread calls
    :meth:`tick` while the gate waits in a module run, the gate calls :meth:`update`."""

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
        """After a round: a line if more are completed, if half an interval has passed, or if ``force``."""
        with self._lock:
            self._state = state
            done = len(state.invalidations) - len(state.pending)
            now = self.clock.monotonic()
            if force or done > self._last_done or now - self._last_line >= self.interval / 2:
                self._say(state, now)

    def tick(self) -> None:
        """A line if an interval has passed since the last one: the state of the last round, or
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


def run_gate(settings: GateSettings, runner: Runner, progress: Progress) -> GateOutcome:
    """Resolve the targets, then wait in slices until every invalidation is completed or the
    timeout has passed, counted from ``progress.start``. Never raises GateError: a failure
    is an outcome, with the invalidations as last seen. Throttling that outlasts the timeout
    while the targets are looked up is a timeout, as invalidations still in progress are."""
    clock = progress.clock
    deadline = progress.start + settings.timeout
    state = GateState()
    pace, last_poll = 1.0, None
    progress.looking_up(describe_targets(settings.targets), settings.timeout)
    try:
        for index, target in enumerate(settings.targets):
            try:
                found = runner.resolve(target, deadline - clock.monotonic())
            except GateError as e:
                if e.code in THROTTLING_CODES and deadline - clock.monotonic() < DEADLINE_SLACK:
                    unresolved = Unresolved(settings.targets[index:], e.msg)
                    return verdict(settings, state, _rounded(progress), unresolved)
                raise
            state.add(target, found)
        waiting = f"Waiting up to {settings.timeout}s for {len(state.pending)} CloudFront invalidation(s) in progress"
        progress.begin(state, f"{waiting}: {state.pending_text()}" if state.pending else waiting)
        while state.pending:
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                break
            seen = runner.wait(
                state.pending, remaining, settings.slice_seconds, Resume(progress.elapsed(), pace, last_poll)
            )
            state.update(seen.invalidations)
            pace, last_poll = seen.pace, seen.last_poll if seen.last_poll is not None else last_poll
            progress.update(state, force=seen.timed_out or state.completed)
            if seen.timed_out:
                break
    except GateError as e:
        return GateOutcome(False, False, True, _rounded(progress), state.listed(), e.msg, error_code=e.code)
    return verdict(settings, state, _rounded(progress))


def _rounded(progress: Progress) -> float:
    return round(progress.elapsed(), 1)


@dataclass(frozen=True)
class Unresolved:
    """Targets the gate could not look up before its deadline, and why (CloudFront's last answer)."""

    targets: Sequence[Target]
    cause: str


def verdict(
    settings: GateSettings, state: GateState, elapsed: float, unresolved: Unresolved | None = None
) -> GateOutcome:
    """Completed, or a timeout that fails the gate (or, for a soft gate, lets it open): the loop of
    :func:`run_gate` ends with invalidations still in progress, or targets not looked up, only at
    the gate's deadline."""
    count = len(state.invalidations)
    if state.completed and unresolved is None:
        msg = f"{count} of {count} CloudFront invalidation(s) completed after {elapsed}s"
        return GateOutcome(True, False, False, elapsed, state.listed(), msg)
    left = []
    if state.pending:
        left.append(f"{len(state.pending)} CloudFront invalidation(s) still in progress: {state.pending_text()}")
    if unresolved is not None:
        left.append(
            f"CloudFront invalidations not looked up yet ({unresolved.cause}): {describe_targets(unresolved.targets)}"
        )
    still = "; and ".join(left)
    if settings.fail_on_timeout:
        msg = f"Timed out after {elapsed}s ({settings.option('timeout')}={settings.timeout}): {still}"
        return GateOutcome(False, True, True, elapsed, state.listed(), msg)
    msg = f"Soft gate open after {elapsed}s ({settings.option('timeout')}={settings.timeout}) with {still}"
    return GateOutcome(False, True, False, elapsed, state.listed(), msg, warning=msg)
