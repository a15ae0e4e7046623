#!/usr/bin/env python3
"""Whole-process benchmark of milvet against a parse-only baseline, in one run.

Builds the release binary and the `parse_only` example (the same file discovery and reading,
then only granit-parser's event loop), makes a scratch tree from ../shared/corpus, and times:

  * one typical Milvus compose file (the pre-commit case);
  * 1,000 compose files (the CI case), reported per file too;
  * `milvet --version` (process start-up alone).

Each case runs several times; medians, min and max are reported, with peak resident memory
(GNU time's %M). Figures are reported as ratios against the baseline measured in the
same run, because absolute times on shared machines are noise.

Usage: python3 bench/run.py [--runs N] [--files N] [--json OUT]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
MILVET = ROOT / "target" / "release" / "milvet"
PARSE_ONLY = ROOT / "target" / "release" / "examples" / "parse_only"


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "milvet", "--example", "parse_only"],
        cwd=ROOT,
        check=True,
    )


def peak_rss_kib(argv):
    """Peak resident memory of one run, from GNU time (a forked child's high-water mark
    would otherwise include this Python process)."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return int(out.stderr.strip().splitlines()[-1])


class Failed(Exception):
    """A timed process exited with a code it should not have."""


def run_once(argv, ok_codes=(0, 1)):
    """Wall time (s) of one process; output discarded. Raises Failed on another exit code."""
    start = time.perf_counter()
    pid = os.posix_spawn(
        argv[0],
        argv,
        os.environ,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ],
    )
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        raise Failed(f"{argv[0]} exited with {code}")
    return elapsed


def measure(argv, runs):
    run_once(argv)  # warm the page cache
    times = sorted(run_once(argv) for _ in range(runs))
    return {
        "median_s": statistics.median(times),
        "min_s": times[0],
        "max_s": times[-1],
        "peak_rss_kib": peak_rss_kib(argv),
        "runs": runs,
    }


def corpus_compose_files():
    files = []
    for sub in ("milvus-official", "milvus", "general"):
        files += sorted(p for p in (CORPUS / sub).iterdir() if p.suffix in (".yml", ".yaml"))
    return files


def make_tree(base, files, count):
    """`count` copies of corpus files as <base>/<n>/docker-compose.yml."""
    for i in range(count):
        d = base / f"{i:05d}"
        d.mkdir(parents=True)
        shutil.copyfile(files[i % len(files)], d / "docker-compose.yml")


def fmt(m):
    return (
        f"{m['median_s'] * 1000:9.2f} ms (min {m['min_s'] * 1000:.2f}, max {m['max_s'] * 1000:.2f}),"
        f" peak RSS {m['peak_rss_kib'] / 1024:.1f} MiB"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}")
    build()
    files = corpus_compose_files()
    typical = CORPUS / "milvus-official" / "v2.6.0-standalone.yml"
    results = {}
    with tempfile.TemporaryDirectory(prefix="milvet-bench-") as tmp:
        tmp = Path(tmp)
        one = tmp / "one" / "docker-compose.yml"
        one.parent.mkdir()
        shutil.copyfile(typical, one)
        many = tmp / "many"
        make_tree(many, files, args.files)
        cases = {
            "start-up (--version)": ([str(MILVET), "--version"], None),
            "one file": ([str(MILVET), "check", str(one)], [str(PARSE_ONLY), str(one)]),
            f"{args.files} files, one thread": (
                [str(MILVET), "check", "--jobs", "1", "--format", "json", str(many)],
                [str(PARSE_ONLY), str(many)],
            ),
            f"{args.files} files": (
                [str(MILVET), "check", "--format", "json", str(many)],
                [str(PARSE_ONLY), str(many)],
            ),
        }
        for name, (cmd, base) in cases.items():
            runs = args.runs if "files" not in name else max(3, args.runs // 3)
            m = measure(cmd, runs)
            entry = {"milvet": m}
            if base:
                b = measure(base, runs)
                entry["parse_only"] = b
                entry["ratio"] = m["median_s"] / b["median_s"]
            results[name] = entry
    print(f"machine: {os.cpu_count()} cpus; files: {args.files}; runs: {args.runs}")
    for name, e in results.items():
        print(f"\n{name}")
        print(f"  milvet      {fmt(e['milvet'])}")
        if "parse_only" in e:
            print(f"  parse only  {fmt(e['parse_only'])}")
            print(f"  ratio milvet/parse-only: {e['ratio']:.2f}")
    many_key = f"{args.files} files, one thread"
    per_file = results[many_key]["milvet"]["median_s"] / args.files
    base_per_file = results[many_key]["parse_only"]["median_s"] / args.files
    print(
        f"\nper file over {args.files}: milvet {per_file * 1e6:.0f} µs,"
        f" parse only {base_per_file * 1e6:.0f} µs"
    )
    startup = results["start-up (--version)"]["milvet"]["median_s"]
    print(f"one file / start-up: {results['one file']['milvet']['median_s'] / startup:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
