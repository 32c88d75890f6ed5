"""The four analyses written for the peers, DuckDB and chDB (ClickHouse),
with touchpoint's semantics, reading the generated Parquet file directly.

Run as a child process so that its peak memory is its own:

    python bench/peers.py ENGINE ANALYSIS PARQUET OUT.json PARAMS_JSON

It writes {"seconds": query time, "result": normalized result} to OUT.json.
The result has the same shape as `normalize.py` gives for touchpoint's
JSON, so that `compare.py` can diff the two. Every duration is computed in
integer microseconds and converted to seconds at the end, as touchpoint
does.

What each analysis computes (and what it leaves out) is documented in
BENCHMARKS.md, section "Peer comparison".
"""

import json
import sys
import time

US_PER_S = 1_000_000.0


# ---------------------------------------------------------------- DuckDB ---


def duckdb_connect(params):
    import duckdb

    connection = duckdb.connect()
    # Spill instead of failing when a window sort exceeds memory (100M).
    if params.get("temp_dir"):
        connection.execute(f"SET temp_directory = {sql_string(params['temp_dir'])}")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def duckdb_events(connection, parquet):
    connection.execute(
        f"""CREATE TEMP VIEW ev AS
        SELECT customer_id AS c, epoch_us("timestamp") AS t, event_id AS id,
               touchpoint AS tp
        FROM read_parquet({sql_string(parquet)})"""
    )


def duckdb_map(parquet, params):
    """Journey map per touchpoint + directly-follows graph."""
    con = duckdb_connect(params)
    duckdb_events(con, parquet)
    # One window pass: each event with the next event of its journey.
    con.execute(
        """CREATE TEMP TABLE seq AS
        SELECT c, tp,
               lead(tp) OVER w AS next_tp,
               lead(t) OVER w - t AS d_us,
               row_number() OVER w = 1 AS is_first
        FROM ev
        WINDOW w AS (PARTITION BY c ORDER BY t, id)"""
    )
    touchpoints = con.execute(
        """SELECT tp, count(*), count(DISTINCT c),
                  count(*) FILTER (WHERE next_tp IS NULL)
        FROM seq GROUP BY tp"""
    ).fetchall()
    transitions = con.execute(
        """SELECT tp, next_tp, count(*), count(DISTINCT c), avg(d_us),
                  quantile_cont(d_us, 0.5), quantile_cont(d_us, 0.9),
                  min(d_us), max(d_us), stddev_samp(d_us)
        FROM seq WHERE next_tp IS NOT NULL GROUP BY tp, next_tp"""
    ).fetchall()
    starts = con.execute(
        "SELECT tp, count(*) FROM seq WHERE is_first GROUP BY tp"
    ).fetchall()
    return map_result(touchpoints, transitions, starts)


def duckdb_variants(parquet, params):
    """Top variants: first max_len touchpoints of each journey."""
    con = duckdb_connect(params)
    duckdb_events(con, parquet)
    rows = con.execute(
        f"""WITH per_customer AS (
            SELECT list(tp ORDER BY t, id)[1:{int(params['max_len'])}] AS v
            FROM ev GROUP BY c),
        counted AS (SELECT v, count(*) AS n FROM per_customer GROUP BY v)
        SELECT v, n, sum(n) OVER () AS total, count(*) OVER () AS distinct_variants
        FROM counted ORDER BY n DESC, v LIMIT {int(params['top'])}"""
    ).fetchall()
    return variants_result(rows)


def duckdb_funnel(parquet, params):
    """Ordered funnel: levels, drop-offs and the counted chain's times.

    For each step-1 event s the greedy chain (earliest step-k event after
    the step-(k-1) event, each within the window of s) reaches the furthest
    step any chain from s can reach. A customer's level is the maximum over
    s; the counted chain is the greedy chain that completes that level at
    the earliest event, the latest start among those (see BENCHMARKS.md for
    why this is touchpoint's counted chain).
    """
    steps = params["steps"]
    window_us = int(params["window_us"])
    con = duckdb_connect(params)
    duckdb_events(con, parquet)
    step_case = " ".join(
        f"WHEN {sql_string(name)} THEN {idx + 1}" for idx, name in enumerate(steps)
    )
    names = ", ".join(sql_string(name) for name in steps)
    # Only events of the funnel steps; pos orders them by (ts, event_id).
    next_cols = ",\n".join(
        f"""min(CASE WHEN step = {k} THEN pos END) OVER (PARTITION BY c ORDER BY pos
                ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS n{k}"""
        for k in range(2, len(steps) + 1)
    )
    con.execute(
        f"""CREATE TEMP TABLE f AS
        WITH s AS (
            SELECT c, t, CASE tp {step_case} END AS step,
                   row_number() OVER (PARTITION BY c ORDER BY t, id) AS pos
            FROM ev WHERE tp IN ({names}))
        SELECT c, t, step, pos, {next_cols} FROM s"""
    )
    n = len(steps)
    joins = []
    cols = ["s1.c AS c", "s1.pos AS p1", "s1.t AS t1"]
    for k in range(2, n + 1):
        prev = f"s{k - 1}"
        joins.append(
            f"LEFT JOIN f s{k} ON s{k}.c = {prev}.c AND s{k}.pos = {prev}.n{k}"
            f" AND s{k}.t - s1.t <= {window_us}"
        )
        cols += [f"s{k}.pos AS p{k}", f"s{k}.t AS t{k}"]
    level = "CASE " + " ".join(
        f"WHEN p{k} IS NOT NULL THEN {k}" for k in range(n, 1, -1)
    ) + " ELSE 1 END"
    done = "coalesce(" + ", ".join(f"p{k}" for k in range(n, 0, -1)) + ")"
    con.execute(
        f"""CREATE TEMP TABLE counted AS
        WITH chains AS (
            SELECT {', '.join(cols)} FROM f s1 {' '.join(joins)} WHERE s1.step = 1),
        levels AS (SELECT *, {level} AS lvl, {done} AS done FROM chains)
        SELECT * FROM levels
        QUALIFY row_number() OVER (PARTITION BY c ORDER BY lvl DESC, done, p1 DESC) = 1"""
    )
    step_rows = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE lvl >= {k})" for k in range(1, n + 1))
        + " FROM counted"
    ).fetchone()
    durations = " UNION ALL ".join(
        f"SELECT {k} AS step, 'from_previous' AS kind, t{k} - t{k - 1} AS d FROM counted WHERE lvl >= {k}"
        f" UNION ALL SELECT {k}, 'from_start', t{k} - t1 FROM counted WHERE lvl >= {k}"
        for k in range(2, n + 1)
    )
    stats, bins = duckdb_duration_stats(
        con, durations, ["step", "kind"], int(params["histogram_bins"])
    )
    return funnel_result(steps, list(step_rows), stats, bins)


def duckdb_duration_stats(con, durations_sql, keys, n_bins):
    """Count, mean, median, p90, min, max and the equal-width histogram
    (touchpoint's integer-microsecond bin width) of the durations `d` of
    `durations_sql`, grouped by `keys`."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE durations AS {durations_sql}")
    key_list = ", ".join(keys)
    stats = con.execute(
        f"""SELECT {key_list}, count(*), avg(d), quantile_cont(d, 0.5),
                   quantile_cont(d, 0.9), min(d), max(d)
        FROM durations GROUP BY {key_list}"""
    ).fetchall()
    on = " AND ".join(f"d.{k} = s.{k}" for k in keys)
    bins = con.execute(
        f"""WITH s AS (SELECT {key_list}, min(d) AS lo,
                       (max(d) - min(d) + {n_bins}) // {n_bins} AS width
                       FROM durations GROUP BY {key_list})
        SELECT {', '.join('d.' + k for k in keys)}, (d.d - s.lo) // s.width AS bin, count(*)
        FROM durations d JOIN s ON {on} GROUP BY ALL"""
    ).fetchall()
    return stats, bins


def duckdb_paths(parquet, params):
    """Paths: sessions split on inactivity, consecutive duplicates collapsed,
    first max_steps nodes, every edge kept (no folding into "(other)")."""
    gap_us = int(params["session_gap_us"])
    max_steps = int(params["max_steps"])
    con = duckdb_connect(params)
    duckdb_events(con, parquet)
    # A run (one node) is a maximal stretch of one touchpoint within a
    # session; an edge goes from a run's last event to the next run's first.
    con.execute(
        f"""CREATE TEMP TABLE runs AS
        WITH flagged AS (
            SELECT c, t, id, tp,
                   coalesce(t - lag(t) OVER w >= {gap_us}, true) AS new_session,
                   coalesce(t - lag(t) OVER w >= {gap_us} OR tp <> lag(tp) OVER w, true) AS new_run
            FROM ev WINDOW w AS (PARTITION BY c ORDER BY t, id)),
        numbered AS (
            SELECT c, t, tp,
                   sum(new_session::INT) OVER w AS session,
                   sum(new_run::INT) OVER w AS run
            FROM flagged WINDOW w AS (PARTITION BY c ORDER BY t, id ROWS UNBOUNDED PRECEDING)),
        grouped AS (
            SELECT c, session, run, any_value(tp) AS label, min(t) AS first_t, max(t) AS last_t
            FROM numbered GROUP BY c, session, run),
        positioned AS (
            SELECT c, label,
                   run - min(run) OVER s + 1 AS pos,
                   lead(label) OVER s2 AS next_label,
                   lead(first_t) OVER s2 - last_t AS d
            FROM grouped
            WINDOW s AS (PARTITION BY c, session), s2 AS (PARTITION BY c, session ORDER BY run))
        SELECT c, pos, label,
               CASE WHEN pos < {max_steps} THEN next_label END AS next_label,
               CASE WHEN pos < {max_steps} THEN d END AS d
        FROM positioned WHERE pos <= {max_steps}"""
    )
    nodes = con.execute(
        """SELECT pos, label, count(*), count(next_label), count(*) - count(next_label),
                  count(DISTINCT c)
        FROM runs GROUP BY pos, label"""
    ).fetchall()
    transitions = con.execute(
        """SELECT pos, label, next_label, count(*), count(DISTINCT c)
        FROM runs WHERE next_label IS NOT NULL GROUP BY ALL"""
    ).fetchall()
    drop_offs = con.execute(
        """SELECT pos, label, count(*), count(DISTINCT c)
        FROM runs WHERE next_label IS NULL GROUP BY ALL"""
    ).fetchall()
    stats, bins = duckdb_duration_stats(
        con,
        "SELECT pos, label, next_label, d FROM runs WHERE next_label IS NOT NULL",
        ["pos", "label", "next_label"],
        int(params["histogram_bins"]),
    )
    totals = con.execute(
        "SELECT count(*) FILTER (WHERE pos = 1), count(DISTINCT c) FROM runs"
    ).fetchone()
    return paths_result(nodes, transitions, drop_offs, stats, bins, totals)


def duckdb_funnel_ties(parquet, params):
    """Not timed, not compared: customers with events of two different
    funnel steps at the same timestamp. ClickHouse's windowFunnel lets the
    later step's event count after the earlier step's at an equal timestamp
    whatever their event ids; touchpoint orders them by (ts, event_id). Only
    such customers may be counted differently by chDB."""
    con = duckdb_connect(params)
    duckdb_events(con, parquet)
    names = ", ".join(sql_string(name) for name in params["steps"])
    rows = con.execute(
        f"""SELECT c FROM ev WHERE tp IN ({names})
        GROUP BY c, t HAVING count(DISTINCT tp) > 1 ORDER BY c"""
    ).fetchall()
    customers = sorted({c for (c,) in rows})
    return {"customers": len(customers), "examples": customers[:10]}


# ------------------------------------------------------------------ chDB ---


def chdb_session():
    from chdb import session

    return session.Session()


def chdb_rows(sess, sql):
    result = sess.query(sql, "JSONCompact")
    text = result.bytes() if hasattr(result, "bytes") else bytes(str(result), "utf-8")
    if not text.strip():
        return []
    return json.loads(text)["data"]


def chdb_source(parquet):
    return f"file({sql_string(parquet)}, Parquet)"


def chdb_map(parquet, params):
    """Each journey as one sorted array, then its consecutive pairs."""
    sess = chdb_session()
    sess.query("CREATE DATABASE IF NOT EXISTS bench")
    sess.query(
        f"""CREATE TABLE bench.seq ENGINE = Memory AS
        WITH per_customer AS (
            SELECT customer_id AS c,
                   arraySort(groupArray((toUnixTimestamp64Micro("timestamp"), event_id, touchpoint))) AS e
            FROM {chdb_source(parquet)} GROUP BY c)
        SELECT c, i,
               e[i].3 AS tp,
               if(i < length(e), e[i + 1].3, NULL) AS next_tp,
               if(i < length(e), e[i + 1].1 - e[i].1, NULL) AS d_us
        FROM per_customer ARRAY JOIN arrayEnumerate(e) AS i"""
    )
    touchpoints = chdb_rows(
        sess,
        """SELECT tp, count(), uniqExact(c), countIf(next_tp IS NULL)
        FROM bench.seq GROUP BY tp""",
    )
    transitions = chdb_rows(
        sess,
        """SELECT tp, assumeNotNull(next_tp), count(), uniqExact(c), avg(d_us),
                  quantileExactInclusive(0.5)(d_us), quantileExactInclusive(0.9)(d_us),
                  min(d_us), max(d_us), if(count() > 1, stddevSamp(d_us), NULL)
        FROM bench.seq WHERE next_tp IS NOT NULL GROUP BY tp, next_tp""",
    )
    starts = chdb_rows(sess, "SELECT tp, count() FROM bench.seq WHERE i = 1 GROUP BY tp")
    sess.cleanup() if hasattr(sess, "cleanup") else None
    return map_result(touchpoints, transitions, starts)


def chdb_variants(parquet, params):
    sess = chdb_session()
    rows = chdb_rows(
        sess,
        f"""WITH per_customer AS (
            SELECT arraySlice(arrayMap(x -> x.3,
                       arraySort(groupArray((toUnixTimestamp64Micro("timestamp"), event_id, touchpoint)))),
                       1, {int(params['max_len'])}) AS v
            FROM {chdb_source(parquet)} GROUP BY customer_id),
        counted AS (SELECT v, count() AS n FROM per_customer GROUP BY v)
        SELECT v, n, sum(n) OVER () AS total, count() OVER () AS distinct_variants
        FROM counted ORDER BY n DESC, v LIMIT {int(params['top'])}""",
    )
    return variants_result(rows)


def chdb_funnel(parquet, params):
    """ClickHouse's own windowFunnel (default mode) per customer; counts only."""
    steps = params["steps"]
    window_us = int(params["window_us"])
    conditions = ", ".join(f"touchpoint = {sql_string(name)}" for name in steps)
    names = ", ".join(sql_string(name) for name in steps)
    sess = chdb_session()
    rows = chdb_rows(
        sess,
        f"""SELECT level, count() FROM (
            SELECT customer_id,
                   windowFunnel({window_us})(toUInt64(toUnixTimestamp64Micro("timestamp")), {conditions}) AS level
            FROM {chdb_source(parquet)} WHERE touchpoint IN ({names}) GROUP BY customer_id)
        WHERE level > 0 GROUP BY level""",
    )
    by_level = {int(level): int(count) for level, count in rows}
    reached = [
        sum(count for level, count in by_level.items() if level >= k)
        for k in range(1, len(steps) + 1)
    ]
    return funnel_result(steps, reached, None, None)


def chdb_paths(parquet, params):
    """Sessions and runs from each journey's sorted array, one row per kept
    node (position <= max_steps) with its successor in the session."""
    gap_us = int(params["session_gap_us"])
    max_steps = int(params["max_steps"])
    n_bins = int(params["histogram_bins"])
    sess = chdb_session()
    sess.query("CREATE DATABASE IF NOT EXISTS bench")
    sess.query(
        f"""CREATE TABLE bench.nodes ENGINE = Memory AS
        WITH per_customer AS (
            SELECT customer_id AS c,
                   arraySort(groupArray((toUnixTimestamp64Micro("timestamp"), event_id, touchpoint))) AS e
            FROM {chdb_source(parquet)} GROUP BY c),
        flags AS (
            SELECT c, e,
                   arrayMap(i -> i = 1 OR e[i].1 - e[i - 1].1 >= {gap_us}, arrayEnumerate(e)) AS new_session,
                   arrayMap(i -> new_session[i] OR e[i].3 != e[i - 1].3, arrayEnumerate(e)) AS new_run
            FROM per_customer),
        runs AS (
            SELECT c, e,
                   arrayFilter(i -> new_run[i], arrayEnumerate(e)) AS starts,
                   arrayMap(s -> new_session[s], starts) AS opens,
                   arrayCumSum(arrayMap(o -> toUInt32(o), opens)) AS session_no,
                   arrayFilter(k -> opens[k], arrayEnumerate(starts)) AS session_first
            FROM flags)
        SELECT c,
               k - session_first[session_no[k]] + 1 AS pos,
               e[starts[k]].3 AS label,
               if(pos < {max_steps} AND k < length(starts) AND NOT opens[k + 1],
                  e[starts[k + 1]].3, NULL) AS next,
               if(next IS NULL, NULL, e[starts[k + 1]].1 - e[starts[k + 1] - 1].1) AS dur
        FROM runs ARRAY JOIN arrayEnumerate(starts) AS k
        WHERE pos <= {max_steps}"""
    )
    nodes = chdb_rows(
        sess,
        """SELECT pos, label, count(), count(next), count() - count(next), uniqExact(c)
        FROM bench.nodes GROUP BY pos, label""",
    )
    transitions = chdb_rows(
        sess,
        """SELECT pos, label, assumeNotNull(next), count(), uniqExact(c)
        FROM bench.nodes WHERE next IS NOT NULL GROUP BY pos, label, next""",
    )
    drop_offs = chdb_rows(
        sess,
        """SELECT pos, label, count(), uniqExact(c)
        FROM bench.nodes WHERE next IS NULL GROUP BY pos, label""",
    )
    stats = chdb_rows(
        sess,
        """SELECT pos, label, assumeNotNull(next), count(), avg(dur),
                  quantileExactInclusive(0.5)(dur), quantileExactInclusive(0.9)(dur), min(dur), max(dur)
        FROM bench.nodes WHERE next IS NOT NULL GROUP BY pos, label, next""",
    )
    bins = chdb_rows(
        sess,
        f"""WITH s AS (
            SELECT pos, label, assumeNotNull(next) AS nx, min(dur) AS lo,
                   intDiv(max(dur) - min(dur) + {n_bins}, {n_bins}) AS width
            FROM bench.nodes WHERE next IS NOT NULL GROUP BY pos, label, nx)
        SELECT n.pos, n.label, s.nx, intDiv(assumeNotNull(n.dur) - s.lo, s.width) AS bin, count()
        FROM bench.nodes AS n INNER JOIN s ON n.pos = s.pos AND n.label = s.label AND n.next = s.nx
        GROUP BY n.pos, n.label, s.nx, bin""",
    )
    totals = chdb_rows(sess, "SELECT countIf(pos = 1), uniqExact(c) FROM bench.nodes")[0]
    return paths_result(nodes, transitions, drop_offs, stats, bins, totals)


# ------------------------------------------------------ result shaping ---


def seconds(value_us):
    return None if value_us is None else float(value_us) / US_PER_S


def map_result(touchpoints, transitions, starts):
    return {
        "customers": sum(int(n) for _, n in starts),
        "touchpoints": {
            tp: {
                "events": int(events),
                "customers": int(customers),
                "drop_off": int(ends) / int(customers),
            }
            for tp, events, customers, ends in touchpoints
        },
        "transitions": {
            f"{a} -> {b}": {
                "count": int(count),
                "customers": int(customers),
                "mean_s": seconds(mean),
                "median_s": seconds(median),
                "p90_s": seconds(p90),
                "min_s": seconds(lo),
                "max_s": seconds(hi),
                "stdev_s": seconds(sd) if int(count) > 1 else None,
            }
            for a, b, count, customers, mean, median, p90, lo, hi, sd in transitions
        },
        "starts": {tp: int(n) for tp, n in starts},
        "ends": {
            tp: int(ends) for tp, _, _, ends in touchpoints if int(ends) > 0
        },
    }


def variants_result(rows):
    return {
        "variants": [
            {
                "variant": " > ".join(v),
                "customers": int(n),
                "coverage": int(n) / int(total),
            }
            for v, n, total, _ in rows
        ]
    }


def histogram_counts(bins, key_len, n_bins):
    counts = {}
    for row in bins:
        key = tuple(row[:key_len])
        counts.setdefault(key, [0] * n_bins)[int(row[key_len])] += int(row[key_len + 1])
    return counts


def duration_stats(row, hist):
    count, mean, median, p90, lo = row[:5]
    return {
        "count": int(count),
        "mean_s": seconds(mean),
        "median_s": seconds(median),
        "p90_s": seconds(p90),
        "min_s": seconds(lo),
        "histogram_counts": hist,
    }


def empty_stats():
    return {
        "count": 0,
        "mean_s": None,
        "median_s": None,
        "p90_s": None,
        "min_s": None,
        "histogram_counts": [],
    }


def funnel_result(steps, reached, stats, bins):
    """`stats`/`bins` are None for a peer that reports counts only."""
    n_bins = None
    by_key = {}
    hist = {}
    if stats is not None:
        by_key = {(int(step), kind): rest for step, kind, *rest in stats}
        n_bins = max((int(b[2]) for b in bins), default=0) + 1
        hist = histogram_counts([(int(s), k, b, n) for s, k, b, n in bins], 2, max(n_bins, 1))
    result = []
    for idx, name in enumerate(steps):
        step = {
            "touchpoint": name,
            "customers": int(reached[idx]),
            "drop_off": 0 if idx == 0 else int(reached[idx - 1]) - int(reached[idx]),
        }
        if stats is not None:
            for kind in ("from_previous", "from_start"):
                row = by_key.get((idx + 1, kind))
                step[kind] = (
                    empty_stats() if row is None else duration_stats(row, hist[(idx + 1, kind)])
                )
        result.append(step)
    return {"steps": result}


def paths_result(nodes, transitions, drop_offs, stats, bins, totals):
    hist_rows = [(int(p), l, n, b, c) for p, l, n, b, c in bins]
    n_bins = max((r[3] for r in hist_rows), default=0) + 1
    hist = histogram_counts(hist_rows, 3, n_bins)
    stats_by_key = {(int(p), l, n): rest for p, l, n, *rest in stats}
    edges = {}
    for pos, label, nxt, count, customers in transitions:
        key = (int(pos), label, nxt)
        edges[f"{pos}_{label} -> {int(pos) + 1}_{nxt}"] = {
            "kind": "transition",
            "count": int(count),
            "customers": int(customers),
            "duration": duration_stats(stats_by_key[key], hist[key]),
        }
    for pos, label, count, customers in drop_offs:
        edges[f"{pos}_{label} -> {int(pos) + 1}_(drop-off)"] = {
            "kind": "drop_off",
            "count": int(count),
            "customers": int(customers),
            "duration": None,
        }
    return {
        "paths": int(totals[0]),
        "customers": int(totals[1]),
        "nodes": {
            f"{pos}_{label}": {
                "paths": int(paths),
                "outflow": int(outflow),
                "drop_off": int(drop_off),
                "customers": int(customers),
            }
            for pos, label, paths, outflow, drop_off, customers in nodes
        },
        "edges": edges,
    }


def sql_string(text):
    return "'" + str(text).replace("'", "''") + "'"


ANALYSES = {
    ("duckdb", "map"): duckdb_map,
    ("duckdb", "variants"): duckdb_variants,
    ("duckdb", "funnel"): duckdb_funnel,
    ("duckdb", "paths"): duckdb_paths,
    ("duckdb", "funnel_ties"): duckdb_funnel_ties,
    ("chdb", "map"): chdb_map,
    ("chdb", "variants"): chdb_variants,
    ("chdb", "funnel"): chdb_funnel,
    ("chdb", "paths"): chdb_paths,
}


def main():
    engine, analysis, parquet, out, params = sys.argv[1:6]
    params = json.loads(params)
    # Import the engine before the clock starts: loading the library is not
    # query time (it does count towards peak memory).
    __import__("duckdb" if engine == "duckdb" else "chdb")
    started = time.perf_counter()
    result = ANALYSES[(engine, analysis)](parquet, params)
    elapsed = time.perf_counter() - started
    with open(out, "w") as file:
        json.dump({"seconds": elapsed, "result": result}, file)


if __name__ == "__main__":
    main()
