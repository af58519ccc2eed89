#!/usr/bin/env bash
# Python 3.14 and 3.15 for the book's gates, from a Debian sid chroot.
#
#   tools/sid_chroot.sh provision            make (or reuse) the chroot and one venv per version
#   tools/sid_chroot.sh run VERSION CMD...   run CMD in /project with VERSION's venv first on PATH
#   tools/sid_chroot.sh test VERSION         the library tests under VERSION (3.14 or 3.15)
#   tools/sid_chroot.sh nbval VERSION NB...  nbval on notebooks under VERSION (spawn by default)
#
# The host stays bookworm: sid is never added to the host's apt sources; only debootstrap is
# installed on the host. The chroot lives in $SID_CHROOT (default: <repo>/.chroot/sid, ignored by git).
#
# Mounts: every `run` happens in a private mount namespace (unshare -m) when the kernel allows it,
# so two runs at once cannot unmount each other's /dev and nothing stays mounted if this script is
# killed; on top of that an EXIT trap always runs `umount -R` on what was mounted, also on failure.
# Never `rm -rf` the chroot while anything is mounted in it: use `rm -rf --one-file-system`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROOT="${SID_CHROOT:-$ROOT/.chroot/sid}"
VERSIONS=(3.14 3.15)
MIRROR="${SID_MIRROR:-http://deb.debian.org/debian}"
INNER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '[sid_chroot] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
venv_of() { printf '/opt/venv-%s' "$1"; }

check_version() {
    case "${1:-}" in
        3.14|3.15) ;;
        *) die "VERSION must be 3.14 or 3.15 (got '${1:-}')" ;;
    esac
}

need_root() { [ "$(id -u)" = 0 ] || die "needs root (chroot, mount)"; }

# --- mounts -----------------------------------------------------------------------------

MOUNTED=()
unmount_all() {
    # Reverse order; -R takes the /dev submounts with it. Lazy only as a last resort.
    local i m
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        m="${MOUNTED[$i]}"
        if mountpoint -q "$m"; then
            umount -R "$m" 2>/dev/null || umount -R -l "$m" || say "could not unmount $m"
        fi
    done
    MOUNTED=()
}

mount_all() {
    trap unmount_all EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$CHROOT/proc" "$CHROOT/sys" "$CHROOT/dev" "$CHROOT/project"
    # set -e stops at the first failed mount; the EXIT trap then unmounts the earlier ones.
    mount -t proc proc "$CHROOT/proc"; MOUNTED+=("$CHROOT/proc")
    mount -t sysfs sys "$CHROOT/sys"; MOUNTED+=("$CHROOT/sys")
    mount --rbind /dev "$CHROOT/dev"; MOUNTED+=("$CHROOT/dev")
    mount --make-rslave "$CHROOT/dev"
    mount --bind "$ROOT" "$CHROOT/project"; MOUNTED+=("$CHROOT/project")
    # Fresh name resolution for apt and pip.
    cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
}

# chroot_env CMD...: run CMD inside with a clean environment (no host PIP_*, SSL_*, FORCE_COLOR).
chroot_env() {
    local path="$INNER_PATH"
    if [ -n "${VENV_FIRST:-}" ]; then path="$VENV_FIRST/bin:$path"; fi
    chroot "$CHROOT" /usr/bin/env -i \
        PATH="$path" HOME=/root LANG=C.UTF-8 PYTHON_COLORS=0 TERM=dumb \
        SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
        PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
        PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive \
        ${PARALLEL_DEMO_START_METHOD:+PARALLEL_DEMO_START_METHOD=$PARALLEL_DEMO_START_METHOD} \
        "$@"
}

# in_namespace SUBCOMMAND ARGS...: re-run this script in a private mount namespace.
in_namespace() {
    if [ -z "${SID_CHROOT_IN_NS:-}" ] && unshare --mount --propagation private true 2>/dev/null; then
        SID_CHROOT_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
    fi
}

# --- provision --------------------------------------------------------------------------

t_start=0
phase() { local now; now=$(date +%s); say "$1: $((now - t_start)) s"; t_start=$now; }

chroot_works() {
    [ -x "$CHROOT/usr/bin/env" ] || return 1
    local v
    for v in "${VERSIONS[@]}"; do
        [ -f "$CHROOT$(venv_of "$v")/pyvenv.cfg" ] || return 1
        [ -f "$CHROOT$(venv_of "$v")/.installed" ] || return 1
        # Requirements changed since the venv was made: provision installs them again.
        local f
        for f in requirements.txt requirements-test.txt pyproject.toml; do
            [ "$CHROOT$(venv_of "$v")/.installed" -nt "$ROOT/$f" ] || return 1
        done
    done
    chroot "$CHROOT" /usr/bin/env -i PATH="$INNER_PATH" \
        "$(venv_of 3.14)/bin/python" -c 'import concurrent.futures as f; f.InterpreterPoolExecutor' \
        2>/dev/null
}

provision_inner() {
    # Runs inside the private mount namespace.
    local total_start v venv
    total_start=$(date +%s); t_start=$total_start
    if chroot_works; then
        say "reusing $CHROOT (python3.14 and python3.15 venvs present)"
        return 0
    fi
    if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
        command -v debootstrap >/dev/null || { apt-get install -y -q debootstrap >/dev/null; phase "apt-get install debootstrap (host)"; }
        [ -e "$CHROOT" ] && die "$CHROOT exists but is no usable chroot: remove it with rm -rf --one-file-system"
        mkdir -p "$(dirname "$CHROOT")"
        debootstrap --variant=minbase sid "$CHROOT" "$MIRROR" >/dev/null
        phase "debootstrap --variant=minbase sid"
    fi
    # Trust the host's certificate authorities (pip fails with CERTIFICATE_VERIFY_FAILED without).
    mkdir -p "$CHROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$CHROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
    # sid's InRelease is often past its Valid-Until.
    echo 'Acquire::Check-Valid-Until "false";' >"$CHROOT/etc/apt/apt.conf.d/99no-check-valid-until"
    mount_all
    chroot_env apt-get update -q >/dev/null
    chroot_env apt-get install -y -q --no-install-recommends ca-certificates \
        python3.14 python3.14-venv python3.15 python3.15-venv >/dev/null
    chroot_env update-ca-certificates >/dev/null
    phase "apt-get install python3.14 python3.15 (chroot)"
    # requirements-test.txt pulls requirements.txt, whose last line is `-e .`: the third-party
    # requirements come from wheels only, then the project itself is installed editable.
    grep -hv -e '^-e' -e '^-r' "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" \
        >"$CHROOT/tmp/requirements-wheels.txt"
    for v in "${VERSIONS[@]}"; do
        venv="$(venv_of "$v")"
        [ -f "$CHROOT$venv/pyvenv.cfg" ] || chroot_env "python$v" -m venv "$venv"
        chroot_env "$venv/bin/python" -m pip install -q --upgrade pip
        chroot_env "$venv/bin/python" -m pip install -q --only-binary=:all: -r /tmp/requirements-wheels.txt
        chroot_env /bin/sh -c "cd /project && $venv/bin/python -m pip install -q --no-deps -e ."
        touch "$CHROOT$venv/.installed"
        phase "venv + pip for $v"
    done
    say "provisioned $CHROOT in $(( $(date +%s) - total_start )) s"
}

# --- run / test -------------------------------------------------------------------------

run_inner() {
    local v="$1"; shift
    [ $# -gt 0 ] || die "run needs a command"
    chroot_works || die "no provisioned chroot at $CHROOT: run '$0 provision' first"
    mount_all
    local quoted="" a
    for a in "$@"; do quoted+=" $(printf '%q' "$a")"; done
    # Not `exec`: the EXIT trap must run the unmount after the command, whatever its status.
    VENV_FIRST="$(venv_of "$v")" chroot_env /bin/bash -c "cd /project &&$quoted"
}

main() {
    local cmd="${1:-}"; shift || true
    case "$cmd" in
        provision)
            need_root; in_namespace provision "$@"; provision_inner ;;
        run)
            check_version "${1:-}"; need_root; in_namespace run "$@"; run_inner "$@" ;;
        test)
            check_version "${1:-}"; need_root; in_namespace test "$@"
            run_inner "$1" python -m pytest tests -q -p no:cacheprovider \
                --ignore=tests/test_pages.py --ignore=tests/test_notebooks.py "${@:2}" ;;
        nbval)
            check_version "${1:-}"; need_root; in_namespace nbval "$@"
            local v="$1"; shift
            PARALLEL_DEMO_START_METHOD="${PARALLEL_DEMO_START_METHOD:-spawn}" \
            run_inner "$v" python tools/run_nbval.py "${@:-book}" ;;
        ""|-h|--help|help)
            sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' ;;
        *) die "unknown subcommand '$cmd' (provision, run, test, nbval)" ;;
    esac
}

main "$@"; exit $?   # (exit at once: an edit to this file while it runs cannot run stray lines)
