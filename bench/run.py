#!/usr/bin/env python3
"""Whole-process benchmark of milvet against baselines measured in the same run.

Builds the release binary and two examples with the same profile: `do_nothing` (a Rust process
that does nothing) and `parse_only` (the same file discovery and reading, then only
granit-parser's event loop). It makes scratch inputs from ../shared/corpus and times:

  * start-up: `milvet --version`, one typical Milvus compose file (the pre-commit case), the
    same file with a configuration file beside it, and one file on which every rule with a
    compose finding fires, each as a ratio to the do-nothing process run in turn with it
    (wall time, and CPU time from wait4);
  * many files: 1,000 (one thread and default jobs) and 10,000 compose files, as a ratio to the
    parse-only baseline;
  * one file of 4k, 8k, 16k and 32k small etcd services, of 2.5k, 5k and 10k documents, and
    of 750, 1.5k and 3k copies of the typical file's Milvus stack (2.25k to 9k services that
    name each other), as time per service (or document, or stack), which must stay flat;
  * peak resident memory of each, and per input byte for `check` and `--fix` on the largest
    file.

Each case runs several times; medians, min and max are reported, with peak resident memory
(GNU time's %M). Figures are reported as ratios against the baseline measured in the
same run, because absolute times on shared machines are noise.

Usage: python3 bench/run.py [--runs N] [--files N] [--json OUT] [--milvet PATH]

`--milvet PATH` times another milvet binary (an earlier build kept aside, say) against the
baselines built here, for before-and-after figures on the same machine.
"""

import argparse
import json
import os
import re
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
DO_NOTHING = ROOT / "target" / "release" / "examples" / "do_nothing"


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "milvet", "--example", "parse_only",
         "--example", "do_nothing"],
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
    return run_timed(argv, ok_codes)[0]


def run_timed(argv, ok_codes=(0, 1)):
    """Wall time and CPU time (user + system, from wait4) of one process, in seconds."""
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
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        raise Failed(f"{argv[0]} exited with {code}")
    return elapsed, usage.ru_utime + usage.ru_stime


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


def measure_against(base, argv, runs):
    """`argv` and the baseline `base` run in turn, `runs` times each, so that a change of load
    weighs on both alike: medians of wall and CPU time of each."""
    run_once(base)
    run_once(argv)
    pairs = [(run_timed(base), run_timed(argv)) for _ in range(runs)]

    def stats(samples):
        samples = sorted(samples)
        return {
            "median_s": statistics.median(samples),
            "min_s": samples[0],
            "max_s": samples[-1],
        }

    m = stats(p[1][0] for p in pairs)
    m["cpu_median_s"] = statistics.median(p[1][1] for p in pairs)
    m["peak_rss_kib"] = peak_rss_kib(argv)
    m["runs"] = runs
    b = stats(p[0][0] for p in pairs)
    b["cpu_median_s"] = statistics.median(p[0][1] for p in pairs)
    return m, b


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


CONFIG = """ignore = ["unset-variable"]
fail-on = "error"
exclude = ["legacy/"]
[severity]
etcd-compaction-mode = "error"
[options]
min-retention = 1000
"""

# Every rule with a finding on a compose file fires on this project (the official v2.3.3
# standalone file is the incident's own; the rest adds what it lacks).
WORST = """services:
  etcd:
    image: quay.io/coreos/etcd:v3.5.0
    environment:
      - ETCD_AUTO_COMPACTION_MODE=periodic
      - ETCD_AUTO_COMPACTION_RETENTION=0
      - ETCD_DATA_DIR=/etcd
      - ETCD_UNSAFE_NO_FSYNC=true
    command: etcd --data-dir /etcd -listen-client-urls http://0.0.0.0:2379 ${UNSET_FLAG}
    healthcheck:
      test: curl -f http://localhost:2379/health
    volumes:
      - etcd-data:/etcd
      - ${MISSING:?set it}:/x
      - tmp:/etcd/
    container_name: same
  minio:
    image: bitnami/minio:latest
    environment:
      MINIO_ACCESS_KEY: minioadmin
    command: minio server /minio_data
    ports: ["9000:9000"]
    container_name: same
    env_file: missing.env
  standalone:
    image: milvusdb/milvus:v2.3.3
    command: ["milvus", "run", "standalone"]
    ports: ["19530:19530", "9091:9091"]
    depends_on: [etcd, minio]
    enviroment: {}
    extends: {service: nowhere}
volumes:
  etcd-data:
    driver_opts: {type: tmpfs, device: tmpfs}
"""


def services_file(path, n):
    """One file of `n` small etcd services, each persisted and compacting."""
    with open(path, "w") as f:
        f.write("services:\n")
        for i in range(n):
            f.write(
                f"  etcd{i}:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n"
                f"      - ETCD_AUTO_COMPACTION_MODE=revision\n"
                f"      - ETCD_AUTO_COMPACTION_RETENTION=1000\n"
                f"    volumes:\n      - ./v{i}:/etcd\n    command: etcd --data-dir /etcd\n"
            )


def stacks_file(path, n):
    """One file of `n` copies of the typical file's stack (etcd, MinIO and Milvus standalone,
    renamed), so that the rules that relate services (endpoints, dependencies, fixes that
    follow the other services' layout) see `3 * n` services."""
    lines = (CORPUS / "milvus-official" / "v2.6.0-standalone.yml").read_text().splitlines(True)
    start = next(i for i, l in enumerate(lines) if l.rstrip() == "services:") + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].strip() and not lines[i][0].isspace()),
        len(lines),
    )
    block = "".join(lines[start:end])
    with open(path, "w") as f:
        f.write("services:\n")
        for k in range(n):
            f.write(re.sub(r"(?m)^  ([A-Za-z0-9_.-]+):", rf"  \g<1>-{k:05d}:", block))
        f.write("".join(lines[end:]))


def tiny_services_file(path, n):
    """One file of `n` tiny etcd services on a release with known faults (7.8 MB for 112,000):
    every service has findings, and an unsafe fix."""
    with open(path, "w") as f:
        f.write("services:\n")
        for i in range(n):
            f.write(f"  etcd{i:06d}:\n    image: quay.io/coreos/etcd:v3.5.0\n    command: etcd\n")


def documents_file(path, n):
    """One file of `n` YAML documents, one etcd service each (with findings, so that the
    report and the fixes scale too)."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(
                f"---\nservices:\n  etcd{i}:\n    image: quay.io/coreos/etcd:v3.5.18\n"
                f"    command: etcd --data-dir /etcd\n    volumes:\n      - ./v{i}:/etcd\n"
            )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--many", type=int, default=10000, help="the larger tree (0: skip)")
    ap.add_argument("--no-scaling", action="store_true", help="skip the one-large-file cases")
    ap.add_argument("--json")
    ap.add_argument("--milvet", help="the milvet binary to time (default: the release build)")
    args = ap.parse_args()
    global MILVET
    if args.milvet:
        MILVET = Path(args.milvet).resolve()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}")
    build()
    files = corpus_compose_files()
    typical = CORPUS / "milvus-official" / "v2.6.0-standalone.yml"
    results = {}
    lines = []
    with tempfile.TemporaryDirectory(prefix="milvet-bench-") as tmp:
        tmp = Path(tmp)
        one = tmp / "one" / "docker-compose.yml"
        one.parent.mkdir()
        shutil.copyfile(typical, one)
        conf = tmp / "conf" / "docker-compose.yml"
        conf.parent.mkdir()
        shutil.copyfile(typical, conf)
        (conf.parent / "milvet.toml").write_text(CONFIG)
        worst = tmp / "worst" / "docker-compose.yml"
        worst.parent.mkdir()
        worst.write_text(WORST)
        many = tmp / "many"
        make_tree(many, files, args.files)
        nothing = [str(DO_NOTHING)]
        start = {
            "milvet --version": [str(MILVET), "--version"],
            "one typical file": [str(MILVET), "check", str(one)],
            "one file, configuration present": [str(MILVET), "check", str(conf)],
            "one file, every rule firing": [str(MILVET), "check", str(worst)],
        }
        # The same project with a full official milvus.yaml mounted into Milvus, and without
        # it (the same Compose file, the mount line left out).
        mounted = tmp / "mounted" / "docker-compose.yml"
        mounted.parent.mkdir()
        text = typical.read_text()
        anchor = "/volumes/milvus:/var/lib/milvus\n"
        assert anchor in text, "the typical file mounts /var/lib/milvus"
        mounted.write_text(
            text.replace(anchor, anchor + "      - ./milvus.yaml:/milvus/configs/milvus.yaml\n")
        )
        shutil.copyfile(
            CORPUS / "milvus-yaml-official" / "milvus-v2.6.18.yaml", mounted.parent / "milvus.yaml"
        )
        unmounted = tmp / "unmounted" / "docker-compose.yml"
        unmounted.parent.mkdir()
        shutil.copyfile(typical, unmounted)
        base = measure(nothing, args.runs)
        results["do nothing"] = {"milvet": base}
        lines.append("start-up, against a do-nothing Rust process run in turn with each case")
        lines.append(f"  do nothing            {fmt(base)}")
        for name, cmd in start.items():
            m, b = measure_against(nothing, cmd, args.runs)
            r = m["median_s"] / b["median_s"]
            cpu = m["cpu_median_s"] / b["cpu_median_s"]
            results[name] = {"milvet": m, "do_nothing": b, "ratio": r, "cpu_ratio": cpu}
            lines.append(
                f"  {name:<32} {fmt(m)}  ratio {r:.2f}"
                f" (do nothing {b['median_s'] * 1000:.2f} ms); CPU time"
                f" {m['cpu_median_s'] * 1000:.2f} ms, ratio {cpu:.2f}"
            )
        lines.append("\na project with a full milvus.yaml (1,482 lines) mounted, against the same without")
        with_conf = measure([str(MILVET), "check", str(mounted)], args.runs)
        without = measure([str(MILVET), "check", str(unmounted)], args.runs)
        r = with_conf["median_s"] / without["median_s"]
        results["milvus.yaml mounted"] = {"milvet": with_conf, "without": without, "ratio": r}
        lines.append(f"  without               {fmt(without)}")
        lines.append(f"  with milvus.yaml      {fmt(with_conf)}  ratio {r:.2f}")
        trees = [(f"{args.files} files, one thread", many, ["--jobs", "1"]),
                 (f"{args.files} files", many, [])]
        if args.many:
            big = tmp / "big"
            make_tree(big, files, args.many)
            trees.append((f"{args.many} files", big, []))
        lines.append("\nmany files, against the parse-only baseline")
        for name, tree, extra in trees:
            runs = max(3, args.runs // 3)
            m = measure([str(MILVET), "check", *extra, "--format", "json", str(tree)], runs)
            b = measure([str(PARSE_ONLY), str(tree)], runs)
            r = m["median_s"] / b["median_s"]
            results[name] = {"milvet": m, "parse_only": b, "ratio": r}
            lines.append(f"  {name:<22} milvet {fmt(m)}")
            lines.append(f"  {'':<22} parse  {fmt(b)}  ratio {r:.2f}")
        if not args.no_scaling:
            lines.append("\none file, time per service, document or stack (flat is linear)")
            for label, make, sizes in (
                ("services", services_file, (4000, 8000, 16000, 32000)),
                ("documents", documents_file, (2500, 5000, 10000)),
                ("stacks", stacks_file, (750, 1500, 3000)),
            ):
                per = []
                for n in sizes:
                    path = tmp / f"{label}-{n}.yml"
                    make(path, n)
                    m = measure([str(MILVET), "check", "--jobs", "1", str(path)], 3)
                    per.append(m["median_s"] / n)
                    size = path.stat().st_size
                    results[f"{n} {label}"] = {"milvet": m, "bytes": size}
                    lines.append(
                        f"  {n:>6} {label:<10} {m['median_s'] * 1e6 / n:8.1f} µs each,"
                        f" peak RSS {m['peak_rss_kib'] / 1024:6.1f} MiB"
                        f" ({m['peak_rss_kib'] * 1024 / size:.0f} B per input byte)"
                    )
                lines.append(f"  {label}: largest / smallest time each {per[-1] / per[0]:.2f}")
            largest = tmp / "services-32000.yml"
            fixed = tmp / "fix-32000.yml"
            shutil.copyfile(largest, fixed)
            rss = peak_rss_kib([str(MILVET), "check", "--fix", "--unsafe-fixes", str(fixed)])
            lines.append(
                f"  --fix on the 32000-service file: peak RSS {rss / 1024:.1f} MiB"
                f" ({rss * 1024 / largest.stat().st_size:.0f} B per input byte)"
            )
            # 112,000 tiny etcd services, each with four findings and an unsafe fix.
            tiny = tmp / "tiny-112000.yml"
            tiny_services_file(tiny, 112000)
            size = tiny.stat().st_size
            for label, extra in (("check", []), ("--fix --unsafe-fixes", ["--fix", "--unsafe-fixes"])):
                work = tmp / "tiny-work.yml"
                shutil.copyfile(tiny, work)
                rss = peak_rss_kib([str(MILVET), "check", "--jobs", "1", "--format", "json", *extra, str(work)])
                results[f"112000 tiny services, {label}"] = {"peak_rss_kib": rss, "bytes": size}
                lines.append(
                    f"  {label} on the 112000-tiny-service file: peak RSS {rss / 1024:.1f} MiB"
                    f" ({rss * 1024 / size:.0f} B per input byte)"
                )
    print(f"machine: {os.cpu_count()} cpus; runs: {args.runs}")
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
