"""The targets the benchmark suite judges its results against, every threshold in one place.

Issue 5 set parts 1–4, issue 12 and issue 18 part 5 and the cost per gate, issue 19 part 6.
``report.targets`` judges a run's results against them (with ``gate_cost.targets`` and
``create.targets``), the page (docs/benchmarks.md) states them from here, and ``chart.py`` shades where
part 5's p95 target is met. Plain numbers: ``chart.py`` imports this in .venv-plot, which has nothing
of the suite.
"""

from __future__ import annotations

# --- Part 1, detection overshoot: at each completion time T (s), the median overshoot of ours at most (s).
OVERSHOOT_LIMITS = {2.0: 2.0, 5.0: 2.0, 15.0: 2.0, 45.0: 5.0}

# --- Part 2, long waits (simulated): from T = LONG_WAIT_FROM s on, ours makes at most
# LONG_WAIT_CALLS_FACTOR times the CLI waiter's calls in the same time, fails no wait before its
# wait_timeout, and its median overshoot is "no worse than the CLI waiter's": once both poll every
# 20 s, the two medians are the same quantity (half an interval, about 10 s) up to sampling error,
# so "no worse" allows LONG_WAIT_OVERSHOOT_TOLERANCE s of it.
LONG_WAIT_FROM = 300.0
LONG_WAIT_CALLS_FACTOR = 2.0
LONG_WAIT_OVERSHOOT_TOLERANCE = 0.5

# --- Part 3, fan-in: at least FANIN_CALLS_FACTOR times fewer API calls than per-invalidation
# polling; the gate opens within FANIN_GATE_LAG s of the last completion (median).
FANIN_CALLS_FACTOR = 10.0
FANIN_GATE_LAG = 3.0

# --- Part 4, per-task cost: the wall time of a task of ours at most PERTASK_VS_COMMUNITY times
# community.aws's, and within PERTASK_VS_PING times the ping floor (medians of the ratios).
PERTASK_VS_COMMUNITY = 0.8
PERTASK_VS_PING = 1.6

# --- Part 4, cost per gate (issue 18): seconds of controller CPU per gate-hour of a gate's own (above
# ansible-core's for a task as long), at most; not growing with the number of progress rounds (the
# shortest interval against the longest, within ROUNDS_TOLERANCE s per gate-hour); not judged on
# gates shorter than MIN_JUDGED_DURATION s, which are mostly their start-up.
CPU_PER_GATE_HOUR_TARGET = 5.0
ROUNDS_TOLERANCE = 1.0
MIN_JUDGED_DURATION = 300.0

# --- Part 5, many gates, one rate limit (issues 12 and 18): p95 latency at most the larger of the
# unthrottled p95 and GATES_P95_FACTOR x N/R; no failure, the worst gate at most
# GATES_WORST_VS_MEDIAN x the median; another caller (a request every 5 s in the same bucket)
# throttled on at most GATES_THROTTLED_AT_MOST of its requests; one gate rides through a streak of
# throttled answers in a row (six: many_gates.STREAK) at least as fast as botocore's standard retry
# mode, GATES_STREAK_BOTOCORE_STANDARD (its mean and worst, s); after a burst of throttling, a gate
# opens at most GATES_RECOVERY_LAG s later than without it (p95).
GATES_P95_FACTOR = 1.5
GATES_THROTTLED_AT_MOST = 0.10
GATES_WORST_VS_MEDIAN = 3.0
GATES_STREAK_BOTOCORE_STANDARD = (25.5, 51.0)
GATES_RECOVERY_LAG = 10.0

# --- Part 6, create and wait (issue 19): the module's documentation says a re-run with a caller
# reference costs this many requests, whatever the history.
REFERENCE_TARGET_CALLS = 1
