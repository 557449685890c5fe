# /// script
# dependencies = ["nox==2026.10.20", "antsibull-nox==1.10.0"]
# ///
"""The collection's test sessions, declared for nox; the ecosystem's own checks come from antsibull-nox
(antsibull-nox.toml). `make test` runs them (the Makefile says which, in which order); one by one:

    .venv-nox/bin/nox -l                                 every session, with its description
    .venv-nox/bin/nox -s pytest-2.21                     one line's pytest plan (LINES below)
    .venv-nox/bin/nox -s pytest-2.19 -- tests/unit -q    pytest with these arguments instead
    .venv-nox/bin/nox -s run-2.21 -- ansible-doc edgeops.cloudfront.cloudfront_invalidation
                                                         any command in a line's environment

Virtualenvs live in .nox/ (reused: `-R` skips the install commands too); working areas in .work/
(HOME, ANSIBLE_HOME and the collections path are set there, never the real home directory).
EDGEOPS_REQUIRE_ALL_LINES=1 (.ci/run) makes a line whose Python is missing a failure; otherwise nox
skips its sessions, saying so.
"""

from __future__ import annotations

import filecmp
import os
import pwd
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nox
import yaml  # antsibull-nox's dependency

try:
    import antsibull_nox
except ImportError:
    print("antsibull-nox must be installed beside nox (tests/nox-requirements.txt)")
    sys.exit(1)

REPO = Path(__file__).resolve().parent
# tools/tree.py defines a working area once, for these sessions and for the mutants' copies; nox run
# from its console script does not put the noxfile's directory on sys.path
sys.path.append(str(REPO))
from tools.tree import link_collection, working_area  # noqa: E402  # pylint: disable=wrong-import-position

WORK = REPO / ".work"
# The collections path of every session: ansible_collections/edgeops/cloudfront links to the repository.
COLLECTIONS = WORK / "collections"


@dataclass(frozen=True)
class Line:
    """An ansible-core line the collection supports (meta/runtime.yml) and is tested on."""

    core: str
    python: str
    requirements: str  # with requirements.txt: the `ansible` package (ansible-core, amazon.aws), the test tools
    pytest_markers: str  # what pytest runs on all cores
    pytest_paths: tuple[str, ...]  # where (none: pyproject.toml's testpaths)
    # the tests that mostly sleep (storms, long gates, tests that wait on the clock: marker `waits`), in
    # a session of their own (sleepers-L), which make test runs beside the pytest sessions from the start
    sleepers: str = ""
    sleeper_workers: int = 0


# What does not depend on the line runs once: the local endpoint's own tests (no ansible-core runs in
# them) on the oldest line; tests/unit on every line, in ansible-test units. The `storm`, `load` and
# `loop` tests (pyproject.toml) test the collection's own wait loop and request accounting, the same
# code on every line: the oldest line runs them. 2.20 runs the suites that run the collection's
# plugins through what changes most between cores: the collection built, installed and run from its
# tarball (the module, the action, the role), AWX's job template in ansible-runner (cancel included),
# and the gate under tags, include_role, become and strategies in playbooks.
LINES = (
    Line(
        "2.19",
        "3.11",
        "tests/requirements.txt",
        "not storm and not long and not waits",
        # tests/unit runs in ansible-test units; but for the benchmark page's tests, which need moto
        ("tests/support", "tests/integration", "tests/unit/benchmarks"),
        "storm or long or waits",
        6,
    ),
    Line(
        "2.20",
        "3.12",
        "tests/requirements-2.20.txt",
        "not storm and not load and not long",
        tuple(
            f"tests/integration/test_{name}.py" for name in ("installed_collection", "awx_runner", "gate_in_playbooks")
        ),
    ),
    Line(
        "2.21",
        "3.13",
        "tests/requirements-2.21.txt",
        "not storm and not load and not long and not loop and not waits",
        ("tests/integration",),
        "(long or waits) and not storm and not load and not loop",
        3,
    ),
)
OLDEST = LINES[0]
# amazon.aws for the sessions that build a collection tree (antsibull-nox's, ansible-test): the oldest
# line's `ansible` package (Galaxy is not reachable here), unpacked from its wheel.
DEPENDENCIES = WORK / "dependencies"


PYTHON_BIN = WORK / "python-bin"  # pythonX.Y of every line, first on PATH


def runs(interpreter: str | Path) -> bool:
    return subprocess.run([str(interpreter), "-c", "import sys"], capture_output=True, check=False).returncode == 0


def find_python(version: str) -> str | None:
    """The interpreter of Python `version` that really runs: on PATH (but PYTHON_BIN), or one of pyenv's
    versions (pyenv's shims fail for the versions not selected), newest first."""
    path = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if Path(d) != PYTHON_BIN)
    candidates = [shutil.which(f"python{version}", path=path)]
    # the user's home, not the HOME of the sessions (.work/home), which nox's workers inherit
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".pyenv"))
    found = Path(pyenv_root, "versions").glob(f"{version}.*/bin/python{version}")
    candidates += [str(p) for p in sorted(found, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])])[::-1]]
    return next((candidate for candidate in candidates if candidate and runs(candidate)), None)


def interpreters_on_path() -> None:
    """pythonX.Y of every line first on PATH (nox and ansible-test look for them there)."""
    PYTHON_BIN.mkdir(parents=True, exist_ok=True)
    for line in LINES:
        link = PYTHON_BIN / f"python{line.python}"
        if link.is_symlink() and runs(link):
            continue
        found = find_python(line.python)
        if found:
            link.unlink(missing_ok=True)
            link.symlink_to(os.path.realpath(found))
    if str(PYTHON_BIN) not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = f"{PYTHON_BIN}{os.pathsep}{os.environ['PATH']}"


def requirement(path: str, name: str) -> str:
    """The pin of ``name`` in the requirements file ``path`` (one version in one place)."""
    return next(line for line in (REPO / path).read_text().splitlines() if line.startswith(f"{name}=="))


def dependencies() -> None:
    """amazon.aws, unpacked from the oldest line's `ansible` wheel into .work/dependencies (once)."""
    if (DEPENDENCIES / "ansible_collections" / "amazon" / "aws" / "MANIFEST.json").is_file():
        return
    pin = requirement(OLDEST.requirements, "ansible")
    wheels = WORK / "wheels"
    print(f"unpacking amazon.aws from {pin} into {DEPENDENCIES.relative_to(REPO)}")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels), pin], check=True)
    (wheel,) = wheels.glob(f"ansible-{pin.split('==')[1]}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith("ansible_collections/amazon/aws/")]
        archive.extractall(DEPENDENCIES, members)


interpreters_on_path()
link_collection(COLLECTIONS, REPO)
dependencies()
os.environ.update(
    {
        **working_area(WORK / "home", f"{COLLECTIONS}{os.pathsep}{DEPENDENCIES}"),
        "ANSIBLE_NOCOLOR": "1",
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": str(WORK / "home" / ".cache"),
        # bytecode in one tree under .work, never beside the sources (the collection's tarball, the copies):
        # written when a module is first imported, so the virtualenvs need not compile the whole `ansible`
        # package when they are installed (uv does not; pip took minutes) and no process compiles twice
        # (PYTHONDONTWRITEBYTECODE, which CI machines may set, is dropped below)
        "PYTHONPYCACHEPREFIX": str(WORK / "pycache"),
        # antsibull-docs copies a collection with `git ls-files` when it sits in a git work tree:
        # amazon.aws, under the (ignored) .work of this repository, would be copied empty.
        "GIT_CEILING_DIRECTORIES": str(WORK),
    }
)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
nox.options.reuse_venv = "yes"
# uv (installed beside nox, tests/nox-requirements.txt) makes the virtualenvs and installs into them,
# from one cache under .work; virtualenv and pip if uv is missing
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = os.environ.get("EDGEOPS_REQUIRE_ALL_LINES") == "1"

antsibull_nox.load_antsibull_nox_toml()


def line_env(line: Line) -> dict[str, str]:
    """A line's working area: its own HOME (ansible-test's caches, ansible's temporary files)."""
    return {**working_area(WORK / line.core / "home", str(COLLECTIONS)), "PYTHONPATH": str(COLLECTIONS)}


def install_line(session: nox.Session, line: Line) -> None:
    session.install("-r", "requirements.txt", "-r", line.requirements)


def installing_only(session: nox.Session) -> bool:
    """nox --install-only (make test builds the virtualenvs side by side first) skips session.run, but
    not what a session does in Python: nox has no public flag for it."""
    return bool(session._runner.global_config.install_only)


def pytest_plan(session: nox.Session, line: Line, markers: str, paths: tuple[str, ...], workers: int) -> None:
    """A pytest run of the line's tests that carry ``markers``, on ``workers`` workers; the session's
    arguments, when given, instead."""
    if installing_only(session):
        return
    env = line_env(line)
    if session.posargs:
        session.run("python", "-m", "pytest", *session.posargs, env=env)
        return
    # --durations: where a line's minutes go
    session.run("python", "-m", "pytest", "-n", str(workers), "--durations=15", "-m", markers, *paths, env=env)


def offline_pip_bootstrap() -> None:
    """ansible-test downloads pip's get-pip.py even with --venv: give it tools/get_pip_offline.py
    (ensurepip's bundled pip) under each name ansible-test looks for, in every line's HOME, and beside it
    the uv of nox (.venv-nox), with which it installs pip faster: ansible-test passes it no environment
    but HOME and PATH."""
    uv = Path(sys.executable).with_name("uv")
    sources = REPO.glob(".nox/*/lib/python*/site-packages/ansible_test/_internal/python_requirements.py")
    versions = {
        version
        for source in sources
        for version in re.findall(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", source.read_text())
    }
    for home in [WORK / "home", *(WORK / line.core / "home" for line in LINES)]:
        cache = home / ".ansible" / "test" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        for version in versions:
            shutil.copy(REPO / "tools" / "get_pip_offline.py", cache / f"get_pip_{version.replace('.', '_')}.py")
        link = cache / "uv"
        if uv.is_file() and not (link.is_symlink() and link.readlink() == uv):
            # sessions side by side do this at once: each makes its own link, then moves it in place
            own = cache / f"uv.{os.getpid()}"
            own.unlink(missing_ok=True)
            own.symlink_to(uv)
            own.replace(link)


def shipped_only() -> None:
    """ansible-test sanity checks what the tarball ships, as certification does: the tree antsibull-nox
    prepared loses what galaxy.yml's build_ignore leaves out (the benchmark suite, linted by `lint`)."""
    for pattern in yaml.safe_load((REPO / "galaxy.yml").read_text())["build_ignore"]:
        for path in Path.cwd().glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def sanity_before() -> None:
    offline_pip_bootstrap()
    shipped_only()


def drop_scratch_output() -> None:
    """ansible-test's scratch files (its virtualenvs' leftovers) are not results: antsibull-nox copies
    tests/output back into the repository, and fails on them."""
    shutil.rmtree(Path.cwd() / "tests" / "output" / ".tmp", ignore_errors=True)


for _line in LINES:
    for _command in ("sanity", "units"):
        antsibull_nox.add_ansible_test_session(
            name=f"{_command}-{_line.core}",
            description=f"ansible-test {_command} of ansible-core {_line.core}, Python {_line.python}",
            ansible_test_params=[_command, "--venv", "--python", _line.python, "--requirements"],
            default=False,
            ansible_core_version=_line.core,
            ansible_core_source="pypi",
            callback_before=sanity_before if _command == "sanity" else offline_pip_bootstrap,
            callback_after=drop_scratch_output,
        )

    def _pytest(session: nox.Session, line: Line = _line) -> None:
        install_line(session, line)
        # a worker per core this run may use: most of these tests keep a core busy, some judge timings
        pytest_plan(session, line, line.pytest_markers, line.pytest_paths, len(os.sched_getaffinity(0)))

    _pytest.__doc__ = (
        f"pytest on ansible-core {_line.core} (Python {_line.python}): -m '{_line.pytest_markers}'"
        f" over {', '.join(_line.pytest_paths) or 'every test path'}"
        + (f" (the rest: sleepers-{_line.core})" if _line.sleepers else "")
    )
    nox.session(name=f"pytest-{_line.core}", python=_line.python)(_pytest)

    if _line.sleepers:

        def _sleepers(session: nox.Session, line: Line = _line) -> None:
            install_line(session, line)
            # more workers than cores: these tests mostly sleep
            pytest_plan(session, line, line.sleepers, (), line.sleeper_workers)

        _sleepers.__doc__ = (
            f"pytest on ansible-core {_line.core}, the tests that mostly sleep: -m '{_line.sleepers}',"
            f" {_line.sleeper_workers} workers"
        )
        nox.session(name=f"sleepers-{_line.core}", python=_line.python)(_sleepers)

    def _run(session: nox.Session, line: Line = _line) -> None:
        if not session.posargs:
            session.error(f"name the command: .venv-nox/bin/nox -s run-{line.core} -- COMMAND [ARGS...]")
        install_line(session, line)
        session.run(*session.posargs, env=line_env(line), external=True)

    _run.__doc__ = f"any command (the arguments) in the environment of ansible-core {_line.core}"
    nox.session(name=f"run-{_line.core}", python=_line.python, default=False)(_run)


def core_of(line: Line) -> str:
    """The requirement of the line's ansible-core alone (without the `ansible` package)."""
    major, minor = line.core.split(".")
    return f"ansible-core>={line.core},<{major}.{int(minor) + 1}"


def fresh_dir(path: Path) -> Path:
    """An empty directory that only its owner can write to (antsibull-docs insists)."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    path.chmod(0o755)
    return path


@nox.session(python=OLDEST.python)
def lint(session: nox.Session) -> None:
    """ruff, mypy, the pre-commit hooks (offline), ansible-lint's production profile on the collection root"""
    session.install("-r", "tests/lint-requirements.txt")
    env = {"RUFF_CACHE_DIR": str(WORK / "ruff_cache")}
    if session.posargs:  # e.g. `-- ansible-lint roles/` or `-- pre-commit run --all-files`
        session.run(*session.posargs, env=env)
        return
    # ruff check, ruff format --check and mypy run as the hooks of .pre-commit-config.yaml (every file)
    session.run("pre-commit", "validate-config", ".pre-commit-config.yaml", env=env)
    # .pre-commit-config.yaml takes ruff's hooks from GitHub: a copy where they run this ruff
    offline = WORK / "pre-commit-offline.yaml"
    session.run("python", "tools/pre_commit_offline.py", ".pre-commit-config.yaml", str(offline), env=env)
    session.run(
        "pre-commit",
        "run",
        "--config",
        str(offline),
        "--all-files",
        "--show-diff-on-failure",
        env={**env, "SKIP": "ansible-lint"},
    )
    session.run(
        "ansible-lint", "--offline", "--nocolor", "--profile", "production", "-c", ".ansible-lint", ".", env=env
    )


@nox.session(python=OLDEST.python)
def docs(session: nox.Session) -> None:
    """docs/reference/ is what antsibull-docs generates from the code, docs/iam-policy.json allows exactly
    the calls of the code, the Markdown links resolve, CHANGELOG.md is what the changelog generates;
    `-- generate` rewrites docs/reference/ and CHANGELOG.md, `-- release ARGS` is antsibull-changelog release"""
    # ansible-doc of the oldest line; amazon.aws from .work/dependencies (the collections path)
    session.install("-r", "tests/ecosystem-requirements.txt", core_of(OLDEST))
    if installing_only(session):
        return

    def reference(dest: Path) -> None:
        session.run(
            "antsibull-docs",
            "collection",
            "--use-current",
            "--squash-hierarchy",
            "--output-format",
            "simplified-rst",
            "--no-add-antsibull-docs-version",
            "--fail-on-error",
            "--dest-dir",
            str(dest),
            "edgeops.cloudfront",
        )

    if session.posargs[:1] == ["release"]:
        # from the collection's link: there antsibull-changelog asks ansible-doc about it in place
        with session.chdir(COLLECTIONS / "ansible_collections" / "edgeops" / "cloudfront"):
            session.run("antsibull-changelog", "release", *session.posargs[1:])
        return
    if session.posargs == ["generate"]:
        generated = fresh_dir(WORK / "docs" / "generated")
        reference(generated)
        shutil.rmtree(REPO / "docs" / "reference")
        shutil.copytree(generated, REPO / "docs" / "reference")
        session.run("antsibull-changelog", "generate")
        return
    check = fresh_dir(WORK / "docs" / "check")
    reference(check)
    if filecmp.dircmp(REPO / "docs" / "reference", check).diff_files or set(os.listdir(check)) != set(
        os.listdir(REPO / "docs" / "reference")
    ):
        session.run("diff", "-ru", "docs/reference", str(check), external=True, success_codes=[0, 1])
        session.error("docs/reference/ is stale: run `.venv-nox/bin/nox -s docs -- generate` and commit the result")
    session.run("python", "tests/checks/iam_policy.py")
    session.run("python", "tests/checks/doc_links.py")
    session.run("antsibull-changelog", "lint")
    session.run("antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml")
    changelog = WORK / "docs" / "CHANGELOG.md"
    session.run("antsibull-changelog", "generate", "--output", str(changelog), "--output-format", "md")
    if changelog.read_text() != (REPO / "CHANGELOG.md").read_text():
        session.run("diff", "-u", "CHANGELOG.md", str(changelog), external=True, success_codes=[0, 1])
        session.error(
            "CHANGELOG.md is not what changelogs/changelog.yaml generates: `.venv-nox/bin/nox -s docs -- generate`"
        )


@nox.session(name="ee-check", python=OLDEST.python)
def ee_check(session: nox.Session) -> None:
    """what ansible-builder makes of the collection, offline (tests/checks/execution_environment.py)"""
    session.install(requirement("tests/ecosystem-requirements.txt", "ansible-builder"), core_of(OLDEST), "pyyaml")
    session.run("python", "tests/checks/execution_environment.py")


def side_venv(session: nox.Session, path: Path, requirements: str) -> None:
    """A virtualenv a session's programs call by path (the AWS CLI pins its own botocore), rebuilt when
    its requirements change."""
    stamp = path / ".requirements"
    if stamp.is_file() and stamp.read_text() == (REPO / requirements).read_text():
        return
    session.run(sys.executable, "-m", "venv", "--clear", str(path), external=True)
    session.run(
        str(path / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", requirements, external=True
    )
    stamp.write_text((REPO / requirements).read_text())


@nox.session(python=OLDEST.python, default=False)
def bench(session: nox.Session) -> None:
    """the benchmark suite against the alternatives (about 70 minutes): rewrites docs/benchmarks.md,
    docs/benchmarks/results.json and the charts; arguments go to benchmarks/run.py"""
    install_line(session, OLDEST)
    side_venv(session, REPO / ".venv-awscli", "benchmarks/requirements-awscli.txt")
    side_venv(session, REPO / ".venv-plot", "benchmarks/requirements-plot.txt")
    session.run("python", "benchmarks/run.py", *session.posargs, env=line_env(OLDEST))


@nox.session(name="bench-smoke", python=OLDEST.python)
def bench_smoke(session: nox.Session) -> None:
    """every part of the benchmark suite, briefly (no figure is judged; benchmarks/output only)"""
    install_line(session, OLDEST)
    session.run("python", "benchmarks/run.py", "--quick", *session.posargs, env=line_env(OLDEST))


@nox.session(python=OLDEST.python, default=False)
def demo(session: nox.Session) -> None:
    """the main job: a local CloudFront endpoint, an invalidation, the example playbook holding at the gate"""
    install_line(session, OLDEST)
    session.run("python", "tools/demo.py", *session.posargs, env=line_env(OLDEST))


@nox.session(python=OLDEST.python, default=False)
def mutate(session: nox.Session) -> None:
    """cosmic-ray's operator mutants of plugins/ (tests/operator_mutants.toml), each tested by tests/unit in
    a copy of the tree; fails under 90 % killed in plugins/module_utils/_cloudfront/; arguments: files"""
    install_line(session, OLDEST)
    session.install("-r", "tests/mutate-requirements.txt")
    python = str(Path(session.bin) / "python")
    session.run("python", "tests/operator_mutants.py", "--test-python", python, *session.posargs, env=line_env(OLDEST))


@nox.session(name="wiring-mutants", python=OLDEST.python, default=False)
def wiring_mutants(session: nox.Session) -> None:
    """the failure-mode mutants of tests/wiring_mutants.yml, each in a copy of the tree with the tests
    that must catch it; arguments: mutant IDs, or --list"""
    install_line(session, OLDEST)
    session.run("python", "tests/wiring_mutants.py", *session.posargs, env=line_env(OLDEST))
