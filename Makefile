# The commands of the README. Each runs sessions declared in noxfile.py (nox, with antsibull-nox's
# checks from antsibull-nox.toml); nox itself lives in .venv-nox, built here on first use.
.PHONY: demo test bench mutate

PYTHON ?= python3
NOX := .venv-nox/bin/nox
LINES := 2.19 2.20 2.21
# First the lines' virtualenvs (and PREBUILT's), side by side. Then pytest: the sleepers of every line
# (the tests that mostly sleep) start at once, in the background, and the lines' pytest sessions run
# one after the other beside them (each keeps both cores busy, and some tests judge timings that a
# busier machine would stretch); the sleepers' output is shown when they and the lines are done.
# Then the rest side by side: what does not depend on the line runs once.
PYTEST_SESSIONS := $(addprefix pytest-,$(LINES))
SLEEPER_SESSIONS := sleepers-2.19 sleepers-2.21
# the virtualenvs of our own sessions that install the `ansible` package or the ecosystem's tools,
# built with the lines' ones (uv links them from its cache: seconds)
PREBUILT := $(SLEEPER_SESSIONS) lint docs ee-check bench-smoke
# in this order, six at a time: first the longest (bench-smoke partly waits, sanity is most of the work)
SIDE_BY_SIDE := bench-smoke $(addprefix sanity-,$(LINES)) lint build-import-check \
	$(addprefix units-,$(LINES)) docs-check docs ee-check extra-checks

$(NOX): tests/nox-requirements.txt
	$(PYTHON) -m venv --clear .venv-nox
	.venv-nox/bin/python -m pip install -q --disable-pip-version-check -r tests/nox-requirements.txt
	touch $@

demo: $(NOX)  ## The main job: local CloudFront endpoint, an invalidation, the example playbook waiting for it
	$(NOX) -s demo

test: $(NOX)  ## Every test on every ansible-core line (README: What `make test` runs)
	@status=0; \
	$(NOX) --install-only --parallel 4 --allow-parallel -s $(PYTEST_SESSIONS) $(PREBUILT) || status=1; \
	mkdir -p .work/logs; \
	$(NOX) --parallel 2 --allow-parallel -s $(SLEEPER_SESSIONS) > .work/logs/sleepers.log 2>&1 & sleepers=$$!; \
	$(NOX) -s $(PYTEST_SESSIONS) || status=1; \
	wait $$sleepers || status=1; cat .work/logs/sleepers.log; \
	$(NOX) --parallel 6 --allow-parallel -s $(SIDE_BY_SIDE) || status=1; \
	exit $$status

bench: $(NOX)  ## The benchmark suite against the alternatives (about 70 minutes): rewrites docs/benchmarks.md
	$(NOX) -s bench

mutate: $(NOX)  ## Mutation testing in copies of the tree (cosmic-ray, then the wiring mutants): docs/testing.md
	$(NOX) -s mutate wiring-mutants
