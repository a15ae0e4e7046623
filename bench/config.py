#!/usr/bin/env python3
"""One-file whole-process time of two milvet binaries, with and without a configuration file
beside the checked file, interleaved round by round in one run (a shared machine's load drifts).

The configuration sets every kind of key but leaves the findings of the file as they are, so
that the difference is the cost of finding, reading and applying it.

Usage: python3 bench/config.py BASELINE_BINARY NEW_BINARY [--rounds N]
"""

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import run as bench

CONFIG = """ignore = ["unset-variable"]
fail-on = "error"
exclude = ["legacy/"]
[severity]
etcd-compaction-mode = "error"
[per-file-ignores]
"dev/**" = ["etcd-data-not-persisted"]
[options]
min-retention = 1000
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    typical = bench.CORPUS / "milvus-official" / "v2.6.0-standalone.yml"
    with tempfile.TemporaryDirectory(prefix="milvet-bench-config-") as tmp:
        tmp = Path(tmp)
        plain = tmp / "plain" / "docker-compose.yml"
        plain.parent.mkdir()
        shutil.copyfile(typical, plain)
        conf = tmp / "conf" / "deploy" / "docker-compose.yml"
        conf.parent.mkdir(parents=True)
        shutil.copyfile(typical, conf)
        (tmp / "conf" / "milvet.toml").write_text(CONFIG)
        cases = {
            "baseline, no configuration": [args.baseline, "check", str(plain)],
            "new, no configuration": [args.new, "check", str(plain)],
            "baseline, configuration present": [args.baseline, "check", str(conf)],
            "new, configuration present": [args.new, "check", str(conf)],
        }
        times = {k: [] for k in cases}
        for argv in cases.values():
            bench.run_once(argv)
        for _ in range(args.rounds):
            for k, argv in cases.items():
                times[k].append(bench.run_once(argv))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"rounds: {args.rounds}; cpus: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}")
    for k, v in times.items():
        print(f"{k:34} median {med[k] * 1000:7.2f} ms, min {min(v) * 1000:6.2f} ms")
    for what in ("no configuration", "configuration present"):
        ratio = med[f"new, {what}"] / med[f"baseline, {what}"]
        print(f"new / baseline, {what}: {ratio:.3f}")


if __name__ == "__main__":
    main()
