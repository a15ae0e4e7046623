#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), kept here so that they can be run and tested
# outside GitHub with the same commands and inputs.
#
#   github-action.sh install   cargo install milvet: MILVET_VERSION from crates.io, or when it
#                              is empty the action's own source (MILVET_SOURCE, default: the
#                              directory above this script), with --locked.
#   github-action.sh run       milvet check over MILVET_PATHS (space-separated, default `.`)
#                              with MILVET_CONFIG (--config) and MILVET_FAIL_ON (--fail-on) when
#                              set: once with --format sarif into MILVET_SARIF_FILE (default
#                              milvet.sarif), once with --format github for annotations. Exits
#                              with milvet's status; writes sarif-file and exit-code to
#                              $GITHUB_OUTPUT when it is set.
#
# MILVET (default `milvet`) and CARGO (default `cargo`) name the programs run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
milvet=${MILVET:-milvet}
cargo=${CARGO:-cargo}

case "${1:-}" in
  install)
    if [ -n "${MILVET_VERSION:-}" ]; then
      set -x
      "$cargo" install --locked milvet --version "$MILVET_VERSION"
    else
      set -x
      "$cargo" install --locked --path "${MILVET_SOURCE:-$here}"
    fi
    ;;
  run)
    set -f  # paths are words, not patterns
    read -r -a paths <<< "${MILVET_PATHS:-.}"
    [ "${#paths[@]}" -gt 0 ] || paths=(.)
    options=()
    if [ -n "${MILVET_CONFIG:-}" ]; then options+=(--config "$MILVET_CONFIG"); fi
    if [ -n "${MILVET_FAIL_ON:-}" ]; then options+=(--fail-on "$MILVET_FAIL_ON"); fi
    sarif=${MILVET_SARIF_FILE:-milvet.sarif}
    status=0
    "$milvet" check --format sarif "${options[@]}" -- "${paths[@]}" > "$sarif" || status=$?
    if [ "$status" -ge 2 ]; then
      echo "milvet: could not check every file (exit $status); see the annotations" >&2
    fi
    annotations=0
    "$milvet" check --format github "${options[@]}" -- "${paths[@]}" || annotations=$?
    if [ "$annotations" -gt "$status" ]; then status=$annotations; fi
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
      {
        echo "sarif-file=$sarif"
        echo "exit-code=$status"
      } >> "$GITHUB_OUTPUT"
    fi
    exit "$status"
    ;;
  *)
    echo "usage: $0 install|run" >&2
    exit 2
    ;;
esac
