# Copyright: edgeops.cloudfront contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for get-pip.py, for ansible-test's virtual environments, with no download of the script.

ansible-test bootstraps pip into every virtual environment it creates (created without pip) by
running a get-pip.py script that it downloads from a host that is not reachable here, and caches
as ``~/.ansible/test/cache/get_pip_<version>.py``.  noxfile.py (offline_pip_bootstrap) puts this file
there instead.  It is run the same way as get-pip.py (by ansible-test's quiet_pip.py through runpy,
as ``__main__``, with sys.argv holding pip options and requirements, for example
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``) and does what get-pip.py
does: it runs the pip wheel that ships with the interpreter (the one ``ensurepip`` installs) and
has it run ``pip install --upgrade --force-reinstall`` of the requested packages into the
running interpreter.  The requested pip version is fetched from the package index as usual.

When no bundled wheel can be found, ``ensurepip.bootstrap()`` installs pip first and that pip
then installs the requested packages.

With a ``uv`` beside this file (noxfile.py links nox's there), uv installs them instead, from its
cache: about 0.3 s where pip run from its wheel took 2 s, for each of the dozen virtual environments
that ansible-test makes for a line's sanity and units; pip does, as above, when uv fails.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

# get-pip.py's own options; everything else is handed to ``pip install``
OWN_OPTIONS = ("--no-setuptools", "--no-wheel")

PIP_FROM_PATH = (
    "import runpy, sys; "
    "sys.path.insert(0, sys.argv.pop(1)); "
    "runpy.run_module('pip', run_name='__main__', alter_sys=True)"
)


def requirement_name(arg: str) -> str:
    """Return the lower-cased project name of a requirement argument such as ``pip==24.2``."""
    name = arg
    for separator in "=<>!~;[ @":
        name = name.split(separator, 1)[0]
    return name.strip().lower().replace("_", "-")


def install_arguments(argv: list[str]) -> list[str]:
    """Return the ``pip`` arguments that get-pip.py would use for the given command line."""
    no_setuptools = "--no-setuptools" in argv or bool(os.environ.get("PIP_NO_SETUPTOOLS"))
    no_wheel = "--no-wheel" in argv or bool(os.environ.get("PIP_NO_WHEEL"))
    args = [arg for arg in argv if arg not in OWN_OPTIONS]
    names = {requirement_name(arg) for arg in args if not arg.startswith("-")}

    if "pip" not in names:
        args.append("pip")

    # like get-pip.py: setuptools and wheel only for interpreters that used to get them by default
    if sys.version_info < (3, 12):
        if not no_setuptools and "setuptools" not in names and importlib.util.find_spec("setuptools") is None:
            args.append("setuptools")
        if not no_wheel and "wheel" not in names and importlib.util.find_spec("wheel") is None:
            args.append("wheel")

    return ["install", "--upgrade", "--force-reinstall"] + args


def uv_command(pip_args: list[str]) -> list[str] | None:
    """``uv pip install`` of what ``pip_args`` (install_arguments()) install, or None when there is no uv
    beside this file or an option uv does not take (pip's own version check has no counterpart)."""
    uv = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uv")
    options = [arg for arg in pip_args[1:] if arg.startswith("-") and arg != "--disable-pip-version-check"]
    if not os.access(uv, os.X_OK) or set(options) - {"--upgrade", "--force-reinstall"}:
        return None
    packages = [arg for arg in pip_args[1:] if not arg.startswith("-")]
    # the system's certificates, which pip trusts by its configuration: ansible-test passes no SSL_CERT_FILE
    command = [uv, "pip", "install", "--quiet", "--system-certs", "--python", sys.executable]
    return command + ["--upgrade", "--reinstall", *packages]


def bundled_pip_wheel() -> str | None:
    """Return the path of the pip wheel that ``ensurepip`` would install, if there is one."""
    spec = importlib.util.find_spec("ensurepip")
    if spec is None or not spec.origin:
        return None

    directories = [os.path.join(os.path.dirname(spec.origin), "_bundled")]
    # Debian-style interpreters keep the wheels outside the standard library
    directories.extend(["/usr/share/python-wheels"])

    for directory in directories:
        wheels = sorted(glob.glob(os.path.join(directory, "pip-*.whl")))
        if wheels:
            return wheels[-1]

    return None


def run(command: list[str]) -> int:
    """Run a command and return its exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    return subprocess.call(command)


def main() -> int:
    """Install pip (and the requested packages) into the running interpreter."""
    pip_args = install_arguments(sys.argv[1:])
    uv = uv_command(pip_args)
    if uv and run(uv) == 0:
        return 0
    wheel = bundled_pip_wheel()

    if wheel:
        tempdir = tempfile.mkdtemp(prefix="get-pip-offline-")
        try:
            # run pip from a private copy of the wheel, as ensurepip itself does
            copy = os.path.join(tempdir, os.path.basename(wheel))
            shutil.copyfile(wheel, copy)
            return run([sys.executable, "-c", PIP_FROM_PATH, copy] + pip_args)
        finally:
            shutil.rmtree(tempdir, ignore_errors=True)

    import ensurepip  # pylint: disable=import-outside-toplevel

    had_setuptools = importlib.util.find_spec("setuptools") is not None
    ensurepip.bootstrap(upgrade=True, default_pip=True)
    status = run([sys.executable, "-m", "pip"] + pip_args)

    if status == 0 and not had_setuptools and "setuptools" not in pip_args:
        # ensurepip of Python < 3.12 also installs setuptools, which get-pip.py was told not to
        status = run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])

    return status


if __name__ == "__main__":
    sys.exit(main())
