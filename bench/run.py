"""The peer-comparison benchmark: generate N events, import them into
touchpoint, run the four analyses (map + transition graph, a 4-step
funnel, paths, top variants) in touchpoint, DuckDB and chDB on the same
Parquet file, check that the results agree, and print wall time, peak
memory and ratios.

Entry point: `scripts/bench` (creates the venv with the peers). Directly:

    python bench/run.py --events 1M --touchpoint target/release/touchpoint

Each engine runs each analysis in a child process of its own, so the peak
resident memory (`ru_maxrss` of that child from wait4) is the engine's.
Exit status 1 when any result disagrees (the first differing rows are
printed), 0 otherwise.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare  # noqa: E402

# Retail generates about 10.7 events per customer.
CUSTOMERS_FOR_EVENTS = {"1M": 93_000, "10M": 930_000, "100M": 9_300_000}
ANALYSES = ["map", "funnel", "paths", "variants"]
ENGINES = ["duckdb", "chdb"]
DAY_US = 86_400 * 1_000_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="1M", help="1M, 10M, 100M or a number of customers as Nc (e.g. 5000c)")
    parser.add_argument("--touchpoint", default="target/release/touchpoint", help="the touchpoint binary")
    parser.add_argument("--keep", help="work in DIR and keep it (the generated file is reused when its customers and seed match)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engines", default=",".join(ENGINES), help="peers to run (comma-separated)")
    parser.add_argument("--analyses", default=",".join(ANALYSES), help="analyses to run (comma-separated)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine and analysis; the fastest counts")
    parser.add_argument("--funnel-steps", default="product_page,cart,checkout,order_placed")
    parser.add_argument("--funnel-window-days", type=int, default=7)
    parser.add_argument("--no-compact", action="store_true",
                        help="run the analyses on the store as imported (a file per bucket per 4M-row chunk) instead of after `touchpoint compact`")
    parser.add_argument("--reuse-store", action="store_true",
                        help="with --keep: analyse DIR/data as it is (no import, no compact)")
    parser.add_argument("--results", help="write the results as JSON here (default DIR/results.json)")
    parser.add_argument("--markdown", help="write a BENCHMARKS.md section here (default DIR/BENCHMARKS-section.md)")
    return parser.parse_args()


def customers_for(events):
    if events in CUSTOMERS_FOR_EVENTS:
        return CUSTOMERS_FOR_EVENTS[events]
    if events.endswith("c") and events[:-1].isdigit():
        return int(events[:-1])
    raise SystemExit(f"--events {events!r}: use 1M, 10M, 100M or Nc")


GNU_TIME = "/usr/bin/time"


def run_measured(command, stdout_path=None):
    """Runs `command` to completion; returns (wall seconds, peak RSS in MiB,
    stderr text). Raises on a non-zero exit.

    The peak is the child's own high-water mark: GNU time's %M where
    installed, else wait4's ru_maxrss, which on Linux also counts the
    memory of this (small: no engine is imported here) parent at fork."""
    stdout = open(stdout_path, "w") if stdout_path else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile(mode="w+") as peak, tempfile.TemporaryFile(mode="w+") as stderr:
        use_time = os.access(GNU_TIME, os.X_OK)
        full = [GNU_TIME, "-f", "%M", "-o", peak.name] + command if use_time else command
        started = time.perf_counter()
        process = subprocess.Popen(full, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if stdout_path:
            stdout.close()
        stderr.seek(0)
        error_text = stderr.read()
        peak_kib = usage.ru_maxrss
        if use_time:
            peak.seek(0)
            lines = [line for line in peak.read().split("\n") if line.strip().isdigit()]
            if lines:
                peak_kib = int(lines[-1])
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{error_text[-4000:]}")
    return wall, peak_kib / 1024.0, error_text


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            mem_kib = int(meminfo.readline().split()[1])
    except OSError:
        mem_kib = 0
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions(touchpoint):
    found = {"python": platform.python_version()}
    found["touchpoint"] = subprocess.run([touchpoint, "--version"], capture_output=True, text=True).stdout.strip()
    # Asked of a child: importing the engines here would inflate every
    # child's measured peak (see run_measured).
    for package in ("duckdb", "chdb"):
        probe = subprocess.run(
            [sys.executable, "-c", f"import {package}; print({package}.__version__)"],
            capture_output=True, text=True,
        )
        found[package] = probe.stdout.strip() or f"unavailable ({probe.stderr.strip()[-200:]})"
    return found


def generate(args, work, customers):
    """The events file, generated unless DIR already has it."""
    out = os.path.join(work, "gen")
    stamp = os.path.join(out, "bench-params.json")
    wanted = {"customers": customers, "seed": args.seed}
    parquet = os.path.join(out, "events.parquet")
    if os.path.exists(stamp) and os.path.exists(parquet):
        with open(stamp) as file:
            if json.load(file) == wanted:
                print(f"reusing {parquet}")
                return parquet, None
    shutil.rmtree(out, ignore_errors=True)
    command = [
        args.touchpoint, "--no-progress", "generate", "--customers", str(customers),
        "--seed", str(args.seed), "--file-format", "parquet", "--out", out,
    ]
    print(f"generating {customers:,} customers ...", flush=True)
    wall, rss, _ = run_measured(command)
    with open(stamp, "w") as file:
        json.dump(wanted, file)
    return parquet, {"seconds": wall, "peak_rss_mib": rss}


def count_rows(parquet):
    """Rows of the Parquet file, from its footer (read by a child process)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, pyarrow.parquet as pq; "
         "print(pq.ParquetFile(sys.argv[1]).metadata.num_rows)", parquet],
        capture_output=True, text=True, check=True,
    )
    return int(probe.stdout)


def import_events(args, work, parquet):
    data = os.path.join(work, "data")
    shutil.rmtree(data, ignore_errors=True)
    command = [
        args.touchpoint, "--data", data, "--no-progress", "import", parquet,
        "--definition", os.path.join(os.path.dirname(parquet), "journey.toml"),
    ]
    print("importing ...", flush=True)
    wall, rss, _ = run_measured(command)
    return data, {"seconds": wall, "peak_rss_mib": rss}


def compact_store(args, data):
    """One sorted file per bucket: the layout the analyses read fastest."""
    print("compacting ...", flush=True)
    wall, rss, _ = run_measured([args.touchpoint, "--data", data, "--no-progress", "compact"])
    print(f"compact: {wall:.2f} s, peak {rss:.0f} MiB", flush=True)
    return {"seconds": wall, "peak_rss_mib": rss}


def touchpoint_command(args, data, analysis):
    base = [args.touchpoint, "--data", data, "--format", "json", "--no-progress"]
    if analysis == "map":
        return base + ["map"]
    if analysis == "funnel":
        return base + ["funnel", "--steps", args.funnel_steps, "--window", f"{args.funnel_window_days}d", "--mode", "ordered"]
    if analysis == "paths":
        # Every edge kept: the peers do not fold the tail into "(other)".
        return base + ["paths", "--steps", "5", "--session-gap", "30m", "--edges", "1000000000"]
    if analysis == "variants":
        return base + ["variants", "--max-len", "10", "--top", "20"]
    raise ValueError(analysis)


def peer_params(args, analysis, work):
    params = {"temp_dir": os.path.join(work, "peer-tmp")}
    if analysis in ("funnel", "funnel_ties"):
        params.update(
            steps=args.funnel_steps.split(","),
            window_us=args.funnel_window_days * DAY_US,
            histogram_bins=10,
        )
    elif analysis == "paths":
        params.update(session_gap_us=30 * 60 * 1_000_000, max_steps=5, histogram_bins=5)
    elif analysis == "variants":
        params.update(max_len=10, top=20)
    return params


def best_of(repeat, run):
    """Runs `run` `repeat` times; the fastest time and the largest peak."""
    runs = [run() for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r["seconds"])
    fastest["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return fastest


def run_touchpoint(args, data, analysis, out_dir):
    path = os.path.join(out_dir, f"touchpoint-{analysis}.json")

    def once():
        wall, rss, _ = run_measured(touchpoint_command(args, data, analysis), stdout_path=path)
        return {"seconds": wall, "process_seconds": wall, "peak_rss_mib": rss}

    measured = best_of(args.repeat, once)
    with open(path) as file:
        measured["result"] = compare.normalize(analysis, json.load(file))
    return measured


def run_peer(args, engine, analysis, parquet, work, out_dir):
    path = os.path.join(out_dir, f"{engine}-{analysis}.json")
    params = json.dumps(peer_params(args, analysis, work))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")

    def once():
        wall, rss, _ = run_measured([sys.executable, script, engine, analysis, parquet, path, params])
        with open(path) as file:
            produced = json.load(file)
        # The query time, without starting Python and loading the library.
        return {"seconds": produced["seconds"], "process_seconds": wall, "peak_rss_mib": rss, "result": produced["result"]}

    return best_of(args.repeat, once)


def main():
    args = parse_args()
    args.touchpoint = os.path.abspath(args.touchpoint)
    engines = [e for e in args.engines.split(",") if e]
    analyses = [a for a in args.analyses.split(",") if a]
    customers = customers_for(args.events)
    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="touchpoint-bench-")
    os.makedirs(work, exist_ok=True)
    out_dir = os.path.join(work, "out")
    os.makedirs(out_dir, exist_ok=True)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "date": started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["scripts/bench"] + sys.argv[1:]),
        "machine": machine(),
        "versions": versions(args.touchpoint),
        "customers": customers,
    }
    try:
        parquet, generated = generate(args, work, customers)
        events = count_rows(parquet)
        report["events"] = events
        report["parquet_mib"] = round(os.path.getsize(parquet) / 2**20, 1)
        report["generate"] = generated
        print(f"{events:,} events, {report['parquet_mib']} MiB of Parquet", flush=True)
        data = os.path.join(work, "data")
        if args.reuse_store and os.path.isdir(data):
            print(f"reusing the store {data}", flush=True)
            report["import"] = None
            report["compact"] = None
        else:
            data, imported = import_events(args, work, parquet)
            imported["rows_per_second"] = events / imported["seconds"]
            report["import"] = imported
            print(f"import: {imported['seconds']:.2f} s ({imported['rows_per_second']:,.0f} rows/s), "
                  f"peak {imported['peak_rss_mib']:.0f} MiB", flush=True)
            report["compact"] = None if args.no_compact else compact_store(args, data)
        report["analyses"] = {}
        failures = 0
        if "funnel" in analyses and set(ENGINES) <= set(engines):
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "edge_cases.py")
            edge = subprocess.run([sys.executable, script, "--touchpoint", args.touchpoint],
                                  capture_output=True, text=True)
            report["funnel_edge_cases_pass"] = edge.returncode == 0
            print(edge.stdout.strip() or edge.stderr.strip()[-2000:], flush=True)
            failures += edge.returncode != 0
        for analysis in analyses:
            runs = {}
            print(f"{analysis}: touchpoint ...", flush=True)
            runs["touchpoint"] = run_touchpoint(args, data, analysis, out_dir)
            if analysis == "funnel" and "chdb" in engines:
                ties = run_peer(args, "duckdb", "funnel_ties", parquet, work, out_dir)["result"]
                report["funnel_tied_customers"] = ties
                if ties["customers"]:
                    print(f"note: {ties['customers']} customers have events of two funnel steps at one "
                          f"timestamp (e.g. {ties['examples'][:3]}); chDB's windowFunnel may count them "
                          "differently (see BENCHMARKS.md)", flush=True)
            for engine in engines:
                print(f"{analysis}: {engine} ...", flush=True)
                runs[engine] = run_peer(args, engine, analysis, parquet, work, out_dir)
                found = compare.differences(runs["touchpoint"]["result"], runs[engine]["result"])
                runs[engine]["agrees"] = not found
                runs[engine]["differences"] = len(found)
                if found:
                    failures += 1
                    print(f"DISAGREEMENT {analysis} touchpoint vs {engine}: {len(found)} differences\n"
                          + compare.describe(found), flush=True)
            report["analyses"][analysis] = {
                engine: {k: v for k, v in run.items() if k != "result"} for engine, run in runs.items()
            }
        report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        report["agreement"] = failures == 0
        report["targets"] = targets(report)
        print()
        print(table(report))
        results_path = args.results or os.path.join(work, "results.json")
        with open(results_path, "w") as file:
            json.dump(report, file, indent=2)
        markdown_path = args.markdown or os.path.join(work, "BENCHMARKS-section.md")
        with open(markdown_path, "w") as file:
            file.write(markdown(report))
        print(f"\nresults: {results_path}\nBENCHMARKS.md section: {markdown_path}")
        if failures:
            print(f"\n{failures} engine/analysis pairs DISAGREE with touchpoint")
            return 1
        print("\nall results agree")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def targets(report):
    """Issue 2's targets at 10M events: transition graph and variants 5x the
    faster peer, funnel 2x chDB's windowFunnel."""
    analyses = report["analyses"]
    checks = []

    def ratio(analysis, engines):
        runs = analyses.get(analysis, {})
        peers = [runs[e]["seconds"] for e in engines if e in runs]
        if "touchpoint" not in runs or not peers:
            return None
        return min(peers) / runs["touchpoint"]["seconds"]

    for analysis, engines, wanted in (
        ("map", ENGINES, 5.0),
        ("variants", ENGINES, 5.0),
        ("funnel", ["chdb"], 2.0),
    ):
        got = ratio(analysis, engines)
        if got is not None:
            checks.append({"analysis": analysis, "versus": "+".join(engines), "wanted": wanted,
                           "ratio": round(got, 2), "met": got >= wanted})
    return checks


def table(report):
    lines = [
        f"{report['events']:,} events, {report['customers']:,} customers; {ingest_text(report)}",
        "",
        f"{'analysis':<10} {'engine':<11} {'time s':>8} {'process s':>10} {'peak MiB':>9} {'vs tp':>7}  agrees",
    ]
    for analysis, runs in report["analyses"].items():
        base = runs["touchpoint"]["seconds"]
        for engine, run in runs.items():
            ratio = run["seconds"] / base
            agrees = "-" if engine == "touchpoint" else ("yes" if run["agrees"] else f"NO ({run['differences']})")
            lines.append(
                f"{analysis:<10} {engine:<11} {run['seconds']:>8.3f} {run['process_seconds']:>10.3f} "
                f"{run['peak_rss_mib']:>9.0f} {ratio:>6.1f}x  {agrees}"
            )
    lines.append("")
    for check in report["targets"]:
        lines.append(
            f"target {check['analysis']}: {check['ratio']}x vs {check['versus']} "
            f"(wanted >= {check['wanted']}x): {'met' if check['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def ingest_text(report):
    imported, compacted = report.get("import"), report.get("compact")
    if imported is None:
        return "store reused (import not measured)"
    text = (f"import {imported['seconds']:.2f} s ({imported['rows_per_second']:,.0f} rows/s, "
            f"peak {imported['peak_rss_mib']:.0f} MiB)")
    if compacted is None:
        return text + ", analyses on the store as imported"
    return text + f", compact {compacted['seconds']:.2f} s (peak {compacted['peak_rss_mib']:.0f} MiB)"


def markdown(report):
    m = report["machine"]
    v = report["versions"]
    lines = [
        f"### {report['events']:,} events ({report['customers']:,} customers)",
        "",
        f"- Date: {report['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
        f"load average {m['load_average']} before, {m.get('load_average_after')} after",
        f"- Command: `{report['command']}`",
        f"- Versions: {v['touchpoint']}, DuckDB {v['duckdb']}, chDB {v['chdb']}, Python {v['python']}",
        f"- Parquet: {report['parquet_mib']} MiB; {ingest_text(report)}",
        f"- Results agree: {'yes' if report['agreement'] else 'NO'}",
        "",
        "| analysis | engine | time (s) | process (s) | peak RSS (MiB) | time ÷ touchpoint's |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for analysis, runs in report["analyses"].items():
        base = runs["touchpoint"]["seconds"]
        for engine, run in runs.items():
            lines.append(
                f"| {analysis} | {engine} | {run['seconds']:.3f} | {run['process_seconds']:.3f} | "
                f"{run['peak_rss_mib']:.0f} | {run['seconds'] / base:.1f}× |"
            )
    lines.append("")
    for check in report["targets"]:
        lines.append(
            f"- Target {check['analysis']} ≥ {check['wanted']}× {check['versus']}: "
            f"{check['ratio']}× — {'met' if check['met'] else 'not met'}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
