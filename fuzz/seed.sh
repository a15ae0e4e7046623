#!/usr/bin/env bash
# Seed the fuzz corpora: every YAML file under testdata/ and every ```yaml block of the rule
# documents (rules/*.md) and the README, copied into fuzz/corpus/<target>/ for each target in
# fuzz/fuzz_targets/. Files are named by their SHA-1, as libFuzzer names its own, so running
# this again adds nothing twice. fuzz/corpus/ is git-ignored.
#
# Usage: fuzz/seed.sh            (from anywhere)
set -euo pipefail

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz_dir")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The seeds, once, in the scratch directory.
n=0
while IFS= read -r -d '' f; do
    cp "$f" "$scratch/seed-$n"
    n=$((n + 1))
done < <(find "$root/testdata" -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | sort -z)

# Fenced ```yaml (or ```yml) blocks, each body a seed.
for doc in "$root"/rules/*.md "$root"/README.md; do
    [ -f "$doc" ] || continue
    awk -v out="$scratch/doc-$(basename "$doc" .md)-" '
        /^```ya?ml[[:space:]]*$/ { inside = 1; k++; file = out k; printf "" > file; next }
        /^```/ && inside { inside = 0; close(file); next }
        inside { print > file }
    ' "$doc"
done

seeds=("$scratch"/*)
[ -e "${seeds[0]}" ] || { echo "fuzz/seed.sh: no seed found" >&2; exit 1; }

for target in "$fuzz_dir"/fuzz_targets/*.rs; do
    name=$(basename "$target" .rs)
    dest="$fuzz_dir/corpus/$name"
    mkdir -p "$dest"
    for s in "${seeds[@]}"; do
        cp "$s" "$dest/$(sha1sum "$s" | cut -d' ' -f1)"
    done
    echo "fuzz/corpus/$name: $(find "$dest" -type f | wc -l) inputs"
done
