#!/usr/bin/env python3
"""Compare two milvet binaries' verdicts on every Compose file of ../shared/corpus, each read
alone: the exit status, and the findings (rule, line) of the etcd and MinIO rules, which must
not change unless the old reading was wrong; other rules' changes are listed too.

    python3 bench/verdicts.py OLD_MILVET NEW_MILVET
"""

import json
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def verdict(binary, path):
    p = subprocess.run([binary, "check", "--format", "json", str(path)], capture_output=True, text=True)
    try:
        found = {(d["rule"], d.get("line")) for d in json.loads(p.stdout)["diagnostics"]}
    except (ValueError, KeyError):
        found = set()
    return p.returncode, found


def storage(found):
    return {f for f in found if f[0].startswith(("etcd-", "minio-"))}


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    old, new = sys.argv[1:]
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yml", ".yaml"))
    changed = 0
    for f in files:
        (ro, a), (rn, b) = verdict(old, f), verdict(new, f)
        if ro == rn and storage(a) == storage(b) and a == b:
            continue
        name = f.relative_to(CORPUS)
        if ro != rn or storage(a) != storage(b):
            changed += 1
            print(f"VERDICT {name}: exit {ro} -> {rn}, etcd/MinIO -{sorted(storage(a) - storage(b))} +{sorted(storage(b) - storage(a))}")
        else:
            print(f"other   {name}: -{sorted(a - b)} +{sorted(b - a)}")
    print(f"{len(files)} files, {changed} with a changed exit status or etcd/MinIO finding")


if __name__ == "__main__":
    main()
