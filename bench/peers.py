#!/usr/bin/env python3
"""Whole-process benchmark of milvet against its peers and the parse-only baseline, in one run.

Run through bench/peers.sh, which installs the peers at pinned versions into a scratch
directory and passes their executables here. Reuses bench/run.py's build, corpus and tree
helpers. Times, each case several runs with medians and min-max, peak resident memory from
GNU time, and ratios measured in the same run:

  * start-up alone (`--version`) for each tool;
  * one typical Milvus compose file (the pre-commit case), default (human) output;
  * 1,000 compose files (the CI case), JSON output, each tool its most efficient documented
    way to take many files;
  * milvet and parse-only at 10, 1,000 and 10,000 files and on one ~5 MB file;
  * fixing fresh copies of the 1,000 files, for each tool that fixes (milvet once
    `milvet check --help` offers `--fix`).

Before timing, every peer is run over the distinct corpus files; a file on which a peer aborts
the whole run (no report at all) is found by bisection and left out of every tree, for every
tool, and the report says which.

Usage: python3 bench/peers.py [--dclint BIN] [--compose-lint BIN] [--unavailable NAME=WHY]...
                              [--runs N] [--many-runs N] [--json OUT] [--markdown OUT]
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # noqa: E402
    CORPUS,
    MILVET,
    PARSE_ONLY,
    ROOT,
    Failed,
    build,
    corpus_compose_files,
    make_tree,
    run_once,
)

TYPICAL = CORPUS / "milvus-official" / "v2.6.0-standalone.yml"
# A case whose first run takes longer than this has SLOW_RUNS runs in all, the first one
# included (at that length, a warm page cache and GNU time's own cost do not show).
SLOW_S = 10.0
SLOW_RUNS = 3


# ---------------------------------------------------------------------------------------------
# Timing




def first_run(argv, ok_codes, scratch):
    """One run under GNU time: its wall time, peak RSS (KiB), exit code and stdout text."""
    out_path = scratch / "first-run.out"
    rss_path = scratch / "first-run.rss"
    err_path = scratch / "first-run.err"
    start = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(rss_path), *argv], stdout=out, stderr=err
        )
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        tail = err_path.read_text(errors="replace")[-600:]
        raise Failed(f"exit code {proc.returncode}: {tail}")
    rss = int(rss_path.read_text().strip().splitlines()[-1])
    return elapsed, rss, proc.returncode, out_path.read_text(errors="replace")


class Entry:
    """One tool's command in a case: how to run it, prepare for it and check its output."""

    def __init__(self, label, argv, ok_codes, setup=None, validate=None):
        self.label, self.argv, self.ok_codes = label, argv, ok_codes
        self.setup, self.validate = setup, validate


def measure_group(entries, runs, scratch):
    """Time the entries of one case against each other.

    Each entry first runs once under GNU time (peak RSS; warms the page cache; its output is
    validated). Then the timed runs are interleaved, one of each entry in turn, so that load
    from outside the benchmark falls on every entry of a ratio alike. An entry whose first run
    took over SLOW_S has SLOW_RUNS runs in all, the first one included. `setup` runs before each
    of an entry's runs, untimed. Returns {label: result}, a result holding `error` on failure.
    """
    results, plan = {}, {}
    for e in entries:
        try:
            if e.setup:
                e.setup()
            first_s, rss, code, stdout = first_run(e.argv, e.ok_codes, scratch)
            note = e.validate(stdout) if e.validate else None
        except (Failed, OSError) as x:
            results[e.label] = {"error": (str(x).splitlines() or [type(x).__name__])[0][:200]}
            continue
        slow = first_s > SLOW_S
        plan[e.label] = {
            "entry": e,
            "runs": min(runs, SLOW_RUNS) if slow else runs,
            "times": [first_s] if slow else [],
            "peak_rss_kib": rss,
            "exit_code": code,
            "note": note,
        }
    for _ in range(runs):
        for label, p in plan.items():
            e = p["entry"]
            if label in results or len(p["times"]) >= p["runs"]:
                continue
            try:
                if e.setup:
                    e.setup()
                p["times"].append(run_once(e.argv, e.ok_codes))
            except (Failed, OSError) as x:
                results[label] = {"error": str(x)[:200]}
    for label, p in plan.items():
        if label in results:
            continue
        times = sorted(p["times"])
        results[label] = {
            "median_s": statistics.median(times),
            "min_s": times[0],
            "max_s": times[-1],
            "runs": len(times),
            "peak_rss_kib": p["peak_rss_kib"],
            "exit_code": p["exit_code"],
            "note": p["note"],
            "argv": p["entry"].argv,
        }
    return {e.label: results[e.label] for e in entries}


# ---------------------------------------------------------------------------------------------
# The tools


class Tool:
    """A tool under test: how it is called for each case and how its report is validated."""

    name = ""
    ok_codes = (0, 1)

    def __init__(self, exe):
        self.exe = str(exe)

    def version_argv(self):
        return [self.exe, "--version"]

    def version(self):
        out = subprocess.run(self.version_argv(), capture_output=True, text=True)
        return (out.stdout.strip() or out.stderr.strip()).split()[-1]

    def one(self, path):
        raise NotImplementedError

    def many(self, tree, files):
        raise NotImplementedError

    def fix(self, tree, files):
        return None

    def report_files(self, stdout):
        """How many files the JSON report covers, or None when it is not a whole report."""
        raise NotImplementedError

    def validate(self, stdout, n):
        """Raise Failed unless `stdout` is a whole report of `n` files; return a note or None."""
        got = self.report_files(stdout)
        if got is None:
            raise Failed("no report on stdout")
        return None if got == n else f"report covers {got} of {n} files"


class Milvet(Tool):
    name = "milvet"

    def one(self, path):
        return [self.exe, "check", str(path)]

    def many(self, tree, files, jobs=None):
        j = ["--jobs", str(jobs)] if jobs else []
        return [self.exe, "check", *j, "--format", "json", str(tree)]

    def fixes(self):
        out = subprocess.run([self.exe, "check", "--help"], capture_output=True, text=True)
        return "--fix" in out.stdout

    def fix(self, tree, files, unsafe=False):
        if not self.fixes():
            return None
        u = ["--unsafe-fixes"] if unsafe else []
        return [self.exe, "check", "--fix", *u, "--format", "json", str(tree)]

    def report_files(self, stdout):
        try:
            return len(json.loads(stdout)["files"])
        except (ValueError, KeyError, TypeError):
            return None


class ParseOnly(Tool):
    name = "parse-only"
    ok_codes = (0,)

    def version(self):
        return "examples/parse_only.rs"

    def one(self, path):
        return [self.exe, str(path)]

    def many(self, tree, files):
        return [self.exe, str(tree)]

    def validate(self, stdout, n):
        m = re.match(r"(\d+) events, (\d+) files not parsed", stdout)
        if not m:
            raise Failed("no count on stdout")
        return f"{m[2]} files not parsed" if m[2] != "0" else None


class Dclint(Tool):
    """dclint walks a directory itself with `-r` (its documented way to lint a tree); `--fix`
    fixes in place."""

    name = "dclint"

    def one(self, path):
        return [self.exe, str(path)]

    def many(self, tree, files):
        return [self.exe, "-r", "-f", "json", str(tree)]

    def fix(self, tree, files):
        return [self.exe, "-r", "--fix", "-f", "json", str(tree)]

    def check_list(self, files):
        return [self.exe, "-f", "json", *map(str, files)]

    def report_files(self, stdout):
        try:
            return len(json.loads(stdout))
        except (ValueError, TypeError):
            return None


class ComposeLint(Tool):
    """compose-lint takes a list of files (it does not walk directories: with no path it looks
    only in the current one); `fix --apply` fixes in place. Exit 2 is its documented "part of
    the stack could not be linted" (a missing env file, an unset variable in a mount, a file it
    cannot parse); the other files are still linted and reported."""

    name = "compose-lint"
    ok_codes = (0, 1, 2)

    def one(self, path):
        return [self.exe, "check", str(path)]

    def many(self, tree, files):
        return [self.exe, "check", "--format", "json", *map(str, files)]

    def fix(self, tree, files):
        return [self.exe, "fix", "--apply", *map(str, files)]

    def check_list(self, files):
        return [self.exe, "check", "--format", "json", *map(str, files)]

    def report_files(self, stdout):
        try:
            d = json.loads(stdout)
            return len({f["file"] for f in d["findings"]} | {e["file"] for e in d["errors"]})
        except (ValueError, KeyError, TypeError):
            return None

    def validate(self, stdout, n):
        # The report lists only the files with findings or errors.
        got = self.report_files(stdout)
        if got is None:
            raise Failed("no report on stdout")
        return f"report lists {got} of {n} files (those with findings or errors)"


# ---------------------------------------------------------------------------------------------
# Inputs


def tree_files(tree):
    return sorted(tree.glob("*/docker-compose.yml"))


def aborting_files(tool, files, scratch):
    """The files on which `tool` aborts the whole run (exits outside its codes, or prints no
    report), found by bisection over one run per group."""

    def completes(group):
        try:
            _, _, _, stdout = first_run(tool.check_list(group), tool.ok_codes, scratch)
        except Failed:
            return False
        return tool.report_files(stdout) is not None

    def bisect(group):
        if completes(group):
            return []
        if len(group) == 1:
            return group
        mid = len(group) // 2
        return bisect(group[:mid]) + bisect(group[mid:])

    return bisect(files)


def big_compose_file(path, target_bytes):
    """One Compose file of about `target_bytes`: the typical file's services, renamed and
    repeated."""
    lines = TYPICAL.read_text().splitlines(keepends=True)
    start = next(i for i, l in enumerate(lines) if l.rstrip() == "services:") + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].strip() and not lines[i][0].isspace()),
        len(lines),
    )
    block = "".join(lines[start:end])
    out = ["services:\n"]
    size, n = 0, 0
    while size < target_bytes:
        copy = re.sub(r"(?m)^  ([A-Za-z0-9_.-]+):", rf"  \g<1>-{n:05d}:", block)
        out.append(copy)
        size += len(copy)
        n += 1
    out.append("".join(lines[end:]))
    path.write_text("".join(out))
    return n


# ---------------------------------------------------------------------------------------------
# Report


def ms(s):
    return f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s"


def cell(m):
    if m is None:
        return "—"
    if "error" in m:
        return f"failed: {m['error']}"
    extra = [m["note"]] if m.get("note") else []
    if m.get("exit_code") == 2:
        extra.append("exit 2")
    return (
        f"{ms(m['median_s'])} ({ms(m['min_s'])}–{ms(m['max_s'])}, {m['runs']} runs), "
        f"{m['peak_rss_kib'] / 1024:.1f} MiB" + "".join(f"; {e}" for e in extra)
    )


def ratio(a, b):
    if not a or not b or "error" in a or "error" in b:
        return "—"
    r = a["median_s"] / b["median_s"]
    return f"{r:.3g} (1/{1 / r:,.0f})" if r < 0.5 else f"{r:.3g}"


def markdown(results):
    m = results["meta"]
    out = []
    peers = [p for p in ("dclint", "compose-lint") if p in m["versions"]]
    out.append(
        f"Run of {m['date']}, {m['nproc']} CPUs ({m['cpu']}), milvet {m['versions']['milvet']} "
        f"at `{m['commit']}`, "
        + ", ".join(f"{p} {m['versions'][p]}" for p in peers)
        + f", {m['node']}, {m['python']}. Whole process, wall time, median (min–max, runs), "
        "peak resident memory from GNU time."
    )
    for name, why in m["unavailable"].items():
        out.append(f"\n**{name} could not be installed here**: {why}")
    if m["excluded"]:
        out.append(
            "\nLeft out of every tree, for every tool: "
            + "; ".join(f"`{f}` ({why})" for f, why in m["excluded"].items())
        )
    out.append("\n| case | tool | time, memory | milvet / tool | milvet `--jobs 1` / tool |")
    out.append("|---|---|---|---|---|")
    for case, c in results["cases"].items():
        base, single = c.get("milvet"), c.get("milvet --jobs 1")
        for tool, mm in c.items():
            own = tool == "milvet" or tool.startswith("milvet ")
            r = "—" if own else ratio(base, mm)
            r1 = "—" if own or single is None else ratio(single, mm)
            out.append(f"| {case} | {tool} | {cell(mm)} | {r} | {r1} |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dclint")
    ap.add_argument("--compose-lint")
    ap.add_argument("--unavailable", action="append", default=[], metavar="NAME=WHY")
    ap.add_argument("--runs", type=int, default=21, help="runs of the one-file cases")
    ap.add_argument("--many-runs", type=int, default=7, help="runs of the many-file cases")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--scaling", default="10,10000", help="file counts besides --files")
    ap.add_argument("--big-mb", type=float, default=5.0)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    if not TYPICAL.is_file():
        raise SystemExit(f"no corpus at {CORPUS} (the typical file {TYPICAL} is missing)")
    build()

    milvet = Milvet(MILVET)
    parse_only = ParseOnly(PARSE_ONLY)
    peers = []
    if args.dclint:
        peers.append(Dclint(args.dclint))
    if args.compose_lint:
        peers.append(ComposeLint(args.compose_lint))
    unavailable = dict(u.split("=", 1) for u in args.unavailable)

    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip() or "(not a git checkout)"
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        platform.processor(),
    )
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "commit": commit or "?",
        "node": f"Node {node}" if node else "no Node",
        "python": f"Python {platform.python_version()}",
        "versions": {"milvet": milvet.version().split()[-1]},
        "unavailable": unavailable,
        "excluded": {},
        "milvet_fix": milvet.fixes(),
    }
    for p in peers:
        meta["versions"][p.name] = p.version()
    results = {"meta": meta, "cases": {}}

    def case(name, entries, runs):
        print(f"{name} ...", flush=True)
        got = measure_group(entries, runs, work)
        results["cases"][name] = got
        for label, m in got.items():
            print(f"  {label:<24} {cell(m)}")

    with tempfile.TemporaryDirectory(prefix="milvet-peers-") as tmp:
        tmp = Path(tmp)
        work = tmp / "work"
        work.mkdir()

        # Files a peer cannot get through at all.
        corpus = corpus_compose_files()
        distinct = tmp / "distinct"
        make_tree(distinct, corpus, len(corpus))
        by_copy = dict(zip(tree_files(distinct), corpus))
        for p in peers:
            print(f"checking that {p.name} completes over the {len(corpus)} corpus files ...")
            for f in aborting_files(p, tree_files(distinct), work):
                src = by_copy[f]
                rel = f"{src.parent.name}/{src.name}"
                meta["excluded"][rel] = f"{p.name} aborts the whole run on it"
                print(f"  {p.name} aborts on {rel}: left out of every tree")
        excluded = {CORPUS / k for k in meta["excluded"]}
        files = [f for f in corpus if f not in excluded]

        one = tmp / "one" / "docker-compose.yml"
        one.parent.mkdir()
        shutil.copyfile(TYPICAL, one)
        trees = {}
        for n in sorted({args.files, *map(int, args.scaling.split(","))}):
            trees[n] = tmp / f"many-{n}"
            make_tree(trees[n], files, n)
        many = trees[args.files]
        many_files = tree_files(many)
        big = tmp / "big" / "docker-compose.yml"
        big.parent.mkdir()
        services = big_compose_file(big, int(args.big_mb * 1024 * 1024))

        def check(tool, n):
            return lambda stdout: tool.validate(stdout, n)

        case(
            "start-up (`--version`)",
            [Entry(t.name, t.version_argv(), (0,)) for t in [milvet, *peers]],
            args.runs,
        )
        case(
            "one typical file",
            [Entry(t.name, t.one(one), t.ok_codes) for t in [milvet, parse_only, *peers]],
            args.runs,
        )
        label = f"{args.files:,} files"
        case(
            label,
            [
                Entry("milvet", milvet.many(many, many_files), milvet.ok_codes,
                      validate=check(milvet, args.files)),
                Entry("milvet --jobs 1", milvet.many(many, many_files, jobs=1), milvet.ok_codes,
                      validate=check(milvet, args.files)),
                *[
                    Entry(t.name, t.many(many, many_files), t.ok_codes,
                          validate=check(t, args.files))
                    for t in [parse_only, *peers]
                ],
            ],
            args.many_runs,
        )
        for n, tree in trees.items():
            if n == args.files:
                continue  # the case above
            case(
                f"scaling: {n:,} files",
                [Entry(t.name, t.many(tree, None), t.ok_codes, validate=check(t, n))
                 for t in [milvet, parse_only]],
                args.many_runs,
            )
        case(
            f"scaling: one {big.stat().st_size / 1e6:.1f} MB file ({services * 3:,} services)",
            [
                Entry("milvet", [milvet.exe, "check", "--format", "json", str(big)],
                      milvet.ok_codes, validate=check(milvet, 1)),
                Entry("parse-only", parse_only.one(big), parse_only.ok_codes,
                      validate=check(parse_only, 1)),
            ],
            args.many_runs,
        )

        # Fixing: every run on a fresh copy of the tree, made untimed.
        fresh = tmp / "fix"

        def reset():
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(many, fresh)

        def changed_files(stdout):
            n = sum(
                a.read_bytes() != b.read_bytes()
                for a, b in zip(tree_files(many), tree_files(fresh))
            )
            return f"{n} files changed"

        reset()
        fresh_files = tree_files(fresh)
        entries = []
        if milvet.fixes():
            # Exit 2 when a file's fixes are refused (not verified); the rest are still fixed.
            entries.append(Entry("milvet", milvet.fix(fresh, fresh_files), (0, 1, 2),
                                 setup=reset, validate=changed_files))
            entries.append(Entry("milvet --unsafe-fixes",
                                 milvet.fix(fresh, fresh_files, unsafe=True), (0, 1, 2),
                                 setup=reset, validate=changed_files))
        else:
            print("milvet: `milvet check --help` offers no --fix; its fix case is left out")
        for p in peers:
            entries.append(Entry(p.name, p.fix(fresh, fresh_files), p.ok_codes, setup=reset,
                                 validate=changed_files))
        case(f"--fix, {label}", entries, args.many_runs)
        if not milvet.fixes():
            results["cases"][f"--fix, {label}"]["milvet"] = {
                "error": "`milvet check --help` offers no --fix"
            }

    print()
    md = markdown(results)
    print(md)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    if args.markdown:
        Path(args.markdown).write_text(md)


if __name__ == "__main__":
    sys.exit(main())
