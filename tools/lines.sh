# shellcheck shell=bash
# The ansible-core lines the collection is tested on (sourced by tools/env.sh and tools/test.sh).
#
#   line  Python  `ansible` package                 requirements                   virtualenv  working area
#   2.19  3.11    12 (ansible-core 2.19, amazon.aws 10)  tests/requirements.txt       .venv       .work
#   2.21  3.13    14 (ansible-core 2.21, amazon.aws 11)  tests/requirements-2.21.txt  .venv-2.21  .work/2.21
#
# Each function takes the line (2.19 or 2.21) and prints one fact about it; paths are relative to
# the repository root. They fail for anything else.

# Every line, oldest first.
edgeops_lines() {
    echo 2.19 2.21
}

edgeops_line_python_version() {
    case "$1" in
        2.19) echo 3.11 ;;
        2.21) echo 3.13 ;;
        *) return 1 ;;
    esac
}

edgeops_line_requirements() {
    case "$1" in
        2.19) echo tests/requirements.txt ;;
        2.21) echo tests/requirements-2.21.txt ;;
        *) return 1 ;;
    esac
}

edgeops_line_venv() {
    case "$1" in
        2.19) echo .venv ;;
        2.21) echo .venv-2.21 ;;
        *) return 1 ;;
    esac
}

edgeops_line_work() {
    case "$1" in
        2.19) echo .work ;;
        2.21) echo .work/2.21 ;;
        *) return 1 ;;
    esac
}

# Print the interpreter of Python version $1 (e.g. 3.13) that really runs, or fail.
edgeops_find_python() {
    local version=$1 candidate pyenv_root
    # pyenv has a shim for every installed version, but it fails for versions not selected
    if candidate=$(command -v "python$version" 2>/dev/null) && "$candidate" -c 'import sys' >/dev/null 2>&1; then
        echo "$candidate"
        return 0
    fi
    pyenv_root=${PYENV_ROOT:-}
    if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
        pyenv_root=$(pyenv root 2>/dev/null) || pyenv_root=
    fi
    [ -n "$pyenv_root" ] && [ -d "$pyenv_root/versions" ] || return 1
    # the newest patch release first
    while IFS= read -r candidate; do
        [ -e "$candidate/pyvenv.cfg" ] && continue  # a pyenv-virtualenv environment
        if "$candidate/bin/python$version" -c 'import sys' >/dev/null 2>&1; then
            echo "$candidate/bin/python$version"
            return 0
        fi
    done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name "$version.*" | sort -rV)
    return 1
}

# Print the Python of line $1 (EDGEOPS_PYTHON when set), or fail.
edgeops_line_python() {
    local version
    version=$(edgeops_line_python_version "$1") || return 1
    if [ -n "${EDGEOPS_PYTHON:-}" ]; then
        echo "$EDGEOPS_PYTHON"
    elif [ "$1" = 2.19 ]; then
        # as before the second line came: python3 where there is no python3.11
        edgeops_find_python "$version" || command -v python3
    else
        edgeops_find_python "$version"
    fi
}
