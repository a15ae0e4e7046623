#!/usr/bin/env bash
# Benchmark milvet against its peers, dclint and compose-lint, and the parse-only baseline.
#
# Installs the peers at pinned versions into a scratch directory (never globally, never into
# the repository): dclint from npm, compose-lint from PyPI in a virtual environment. A peer
# that cannot be installed is reported and left out; the others still run. Then runs
# bench/peers.py, which builds milvet and the baseline, makes its inputs in a temporary
# directory from ../shared/corpus, and times every case (see BENCHMARKS.md).
#
# Usage: bench/peers.sh [peers.py options: --runs N --many-runs N --json OUT --markdown OUT]
# Environment: MILVET_BENCH_HOME (default ${XDG_CACHE_HOME:-$HOME/.cache}/milvet-bench) is
# where the peers are installed; delete it to reinstall them.
set -uo pipefail

DCLINT_VERSION=3.1.0
COMPOSE_LINT_VERSION=0.36.2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${MILVET_BENCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/milvet-bench}
mkdir -p "$home" || { echo "peers.sh: cannot create $home" >&2; exit 1; }
log="$home/install.log"
: >"$log"

args=()
unavailable() { # name, reason
    echo "peers.sh: $1 is not available: $2" >&2
    args+=(--unavailable "$1=$2")
}

# dclint (the Docker Compose linter by zavoloklom, npm package `dclint`).
install_dclint() {
    local dir="$home/dclint-$DCLINT_VERSION"
    local bin="$dir/node_modules/.bin/dclint"
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        unavailable dclint "npm or node is not installed"
        return
    fi
    if [ ! -x "$bin" ]; then
        echo "installing dclint $DCLINT_VERSION into $dir" >&2
        mkdir -p "$dir"
        # npm's own cache in the scratch directory too.
        if ! npm_config_cache="$home/npm-cache" npm install --prefix "$dir" --no-audit \
            --no-fund --loglevel=error "dclint@$DCLINT_VERSION" >>"$log" 2>&1; then
            unavailable dclint "npm install dclint@$DCLINT_VERSION failed (see $log)"
            return
        fi
    fi
    local got
    got=$("$bin" --version 2>>"$log")
    if [ "$got" != "$DCLINT_VERSION" ]; then
        unavailable dclint "expected version $DCLINT_VERSION, \`dclint --version\` says '$got'"
        return
    fi
    args+=(--dclint "$bin")
}

# compose-lint (PyPI), in a virtual environment of its own.
install_compose_lint() {
    local venv="$home/compose-lint-$COMPOSE_LINT_VERSION"
    local bin="$venv/bin/compose-lint"
    if ! command -v python3 >/dev/null; then
        unavailable compose-lint "python3 is not installed"
        return
    fi
    if [ ! -x "$bin" ]; then
        echo "installing compose-lint $COMPOSE_LINT_VERSION into $venv" >&2
        if ! python3 -m venv "$venv" >>"$log" 2>&1; then
            unavailable compose-lint "python3 -m venv failed (see $log)"
            return
        fi
        if ! PIP_CACHE_DIR="$home/pip-cache" "$venv/bin/pip" install --quiet \
            --disable-pip-version-check "compose-lint==$COMPOSE_LINT_VERSION" >>"$log" 2>&1; then
            unavailable compose-lint "pip install compose-lint==$COMPOSE_LINT_VERSION failed (see $log)"
            return
        fi
    fi
    local got
    got=$("$bin" --version 2>>"$log")
    if [ "$got" != "compose-lint $COMPOSE_LINT_VERSION" ]; then
        unavailable compose-lint "expected version $COMPOSE_LINT_VERSION, \`compose-lint --version\` says '$got'"
        return
    fi
    args+=(--compose-lint "$bin")
}

install_dclint
install_compose_lint
[ -x /usr/bin/time ] || { echo "peers.sh: GNU time (/usr/bin/time) is needed" >&2; exit 1; }
exec python3 "$root/bench/peers.py" "${args[@]}" "$@"
