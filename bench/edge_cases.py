"""Funnel edge cases on a hand-made file: equal timestamps in both event-id
orders, a step exactly at the end of the window and one microsecond after
it, a later step-1 event that rescues the window, and two steps at one
timestamp in event-id order. touchpoint and the DuckDB formulation must
agree on all of it (counts and times); chDB's windowFunnel must differ
exactly on the two customers whose steps tie in the "wrong" event-id order.

    python bench/edge_cases.py --touchpoint BIN

Exit status 0 when all of that holds.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare  # noqa: E402

DAY_US = 86_400 * 1_000_000
STEPS = ["product_page", "cart", "checkout"]
# (event_id, customer, µs after the epoch below, touchpoint)
EVENTS = [
    ("a1", "A", 0, "cart"),  # cart before product_page in (ts, event_id) order
    ("a2", "A", 0, "product_page"),
    ("b2", "B", 0, "product_page"),  # the same with the ids swapped
    ("b1", "B", 0, "cart"),
    ("c1", "C", 0, "product_page"),  # cart exactly 7 days later: inside
    ("c2", "C", 7 * DAY_US, "cart"),
    ("d1", "D", 0, "product_page"),  # 1 µs too late
    ("d2", "D", 7 * DAY_US + 1, "cart"),
    ("e1", "E", 0, "product_page"),  # the second product_page rescues it
    ("e2", "E", DAY_US, "product_page"),
    ("e3", "E", 7 * DAY_US + DAY_US // 2, "cart"),
    ("f1", "F", 0, "product_page"),  # cart and checkout tied, ids in order
    ("f3", "F", 5, "checkout"),
    ("f2", "F", 5, "cart"),
]
EPOCH_US = 1_735_689_600_000_000  # 2025-01-01
# windowFunnel orders a tie by step, whatever the event ids.
CHDB_DIFFERS_ON = {"A", "B"}


def write_parquet(path):
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE t (event_id VARCHAR, customer_id VARCHAR, us BIGINT, touchpoint VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", EVENTS)
    con.execute(
        f"""COPY (SELECT event_id, customer_id, make_timestamptz({EPOCH_US} + us) AS "timestamp",
                  touchpoint, 'web' AS channel FROM t)
        TO '{path}' (FORMAT parquet)"""
    )


def peer(engine, parquet, work):
    out = os.path.join(work, f"{engine}.json")
    params = {"steps": STEPS, "window_us": 7 * DAY_US, "histogram_bins": 10}
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")
    subprocess.run([sys.executable, script, engine, "funnel", parquet, out, json.dumps(params)], check=True)
    with open(out) as file:
        return json.load(file)["result"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--touchpoint", default="target/release/touchpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="touchpoint-edge-") as work:
        parquet = os.path.join(work, "events.parquet")
        write_parquet(parquet)
        data = os.path.join(work, "data")
        base = [os.path.abspath(args.touchpoint), "--data", data, "--no-progress"]
        subprocess.run(base + ["import", parquet], check=True, stdout=subprocess.DEVNULL)
        output = subprocess.run(
            base + ["--format", "json", "funnel", "--steps", ",".join(STEPS), "--window", "7d"],
            check=True, capture_output=True, text=True,
        ).stdout
        ours = compare.normalize("funnel", json.loads(output))
        failed = False
        found = compare.differences(ours, peer("duckdb", parquet, work))
        if found:
            failed = True
            print("touchpoint and DuckDB disagree:\n" + compare.describe(found))
        chdb = peer("chdb", parquet, work)
        reached_cart = [step["customers"] for step in chdb["steps"]][1]
        expected = ours["steps"][1]["customers"] + len(CHDB_DIFFERS_ON)
        if reached_cart != expected:
            failed = True
            print(f"chDB: {reached_cart} customers reach cart, expected {expected}")
        print("funnel edge cases:", "FAILED" if failed else "as expected")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
