#!/usr/bin/env bash
# Python 3.12 and 3.13 for the book's gates, from pyenv (3.12.1 and 3.13.0 on this machine and on CI).
#
#   tools/pyenv_tests.sh setup VERSION         make (or reuse) a venv for VERSION with every requirement
#   tools/pyenv_tests.sh run VERSION CMD...    run CMD in the repository with VERSION's venv first on PATH
#   tools/pyenv_tests.sh test VERSION [ARGS]   the library tests under VERSION (3.12 or 3.13)
#   tools/pyenv_tests.sh nbval VERSION [NB...] nbval on notebooks under VERSION (spawn by default;
#                                              set PARALLEL_DEMO_START_METHOD to change it)
#
# The venvs live in $PY_VENVS (default: <repo>/.venvs, ignored by git), one per version: .venvs/3.12.
# The interpreter is $(pyenv root)/versions/3.12.*/bin/python (the newest installed 3.12.x), or
# $PYTHON312 / $PYTHON313 when set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="${PY_VENVS:-$ROOT/.venvs}"

say() { printf '[pyenv_tests] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

check_version() {
    case "${1:-}" in
        3.12|3.13) ;;
        *) die "VERSION must be 3.12 or 3.13 (got '${1:-}')" ;;
    esac
}

interpreter() {
    local v="$1" var="PYTHON${1/./}" root cand
    if [ -n "${!var:-}" ]; then printf '%s' "${!var}"; return; fi
    root="$(pyenv root 2>/dev/null || printf '%s' "${PYENV_ROOT:-$HOME/.pyenv}")"
    cand="$(ls -d "$root/versions/$v".* 2>/dev/null | grep -E "/$v\.[0-9]+$" | sort -V | tail -n 1 || true)"
    [ -n "$cand" ] && [ -x "$cand/bin/python" ] ||
        die "no Python $v in $root/versions: 'pyenv install $v', or set $var to an interpreter"
    printf '%s' "$cand/bin/python"
}

venv_of() { printf '%s/%s' "$VENVS" "$1"; }

# A clean environment for the tests: no host colouring, the same start method the caller asked for.
run_env() {
    local v="$1"; shift
    local venv; venv="$(venv_of "$v")"
    [ -f "$venv/.installed" ] || die "no venv for $v at $venv: run '$0 setup $v' first"
    cd "$ROOT"
    env -u FORCE_COLOR -u VIRTUAL_ENV -u PYTHONPATH PYTHON_COLORS=0 \
        PATH="$venv/bin:$PATH" "$@"
}

setup() {
    local v="$1" py venv t0
    t0=$(date +%s)
    venv="$(venv_of "$v")"
    # Reuse the venv when it is installed and the requirements did not change since.
    if [ -f "$venv/.installed" ] && [ "$venv/.installed" -nt "$ROOT/requirements.txt" ] &&
        [ "$venv/.installed" -nt "$ROOT/requirements-test.txt" ] && [ "$venv/.installed" -nt "$ROOT/pyproject.toml" ]; then
        say "reusing $venv ($("$venv/bin/python" -V 2>&1))"
        return 0
    fi
    py="$(interpreter "$v")"
    mkdir -p "$VENVS"
    [ -f "$venv/pyvenv.cfg" ] || "$py" -m venv "$venv"
    # (grep drops pip's warnings about this machine's extra local indexes that do not exist)
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 |
        { grep -v "^WARNING: Location 'file:" || true; }
    (cd "$ROOT" && set -o pipefail && "$venv/bin/python" -m pip install -q --disable-pip-version-check \
        -r requirements-test.txt 2>&1 | { grep -v "^WARNING: Location 'file:" || true; })
    touch "$venv/.installed"
    say "venv for $v ($("$venv/bin/python" -V 2>&1)) at $venv in $(( $(date +%s) - t0 )) s"
}

main() {
    local cmd="${1:-}"; shift || true
    case "$cmd" in
        setup)
            check_version "${1:-}"; setup "$1" ;;
        run)
            check_version "${1:-}"; local v="$1"; shift
            [ $# -gt 0 ] || die "run needs a command"
            run_env "$v" "$@" ;;
        test)
            check_version "${1:-}"; local v="$1"; shift
            run_env "$v" python -m pytest tests -q -p no:cacheprovider \
                --ignore=tests/test_pages.py --ignore=tests/test_notebooks.py "$@" ;;
        nbval)
            check_version "${1:-}"; local v="$1"; shift
            PARALLEL_DEMO_START_METHOD="${PARALLEL_DEMO_START_METHOD:-spawn}" \
            run_env "$v" python tools/run_nbval.py "${@:-book}" ;;
        ""|-h|--help|help)
            sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
        *) die "unknown subcommand '$cmd' (setup, run, test, nbval)" ;;
    esac
}

main "$@"; exit $?   # (exit at once: an edit to this file while it runs cannot run stray lines)
