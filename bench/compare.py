"""Touchpoint's JSON output in the peers' result shape, and the agreement
check between the two.

Agreement means: the same rows (touchpoints, edges, nodes, variants in rank
order), every count equal, every duration in seconds within half a
microsecond, every ratio (drop-off, coverage) equal to 1e-12 relative.
A peer may report a subset of the fields (chDB's windowFunnel gives levels
only); the fields it reports must agree.
"""

# Dicts keyed by data (touchpoint names, edges, nodes): both sides must hold
# the same keys. Other dicts are records: the peer's fields are compared.
ROW_MAPS = {"touchpoints", "transitions", "starts", "ends", "nodes", "edges"}

DURATION_TOLERANCE_S = 0.5e-6
RATIO_TOLERANCE = 1e-12


def normalize(analysis, output):
    """Touchpoint's `--format json` output of `analysis` as comparable data."""
    return NORMALIZERS[analysis](output)


def normalize_map(output):
    return {
        "customers": output["customers"],
        "touchpoints": {
            t["touchpoint"]: {
                "events": t["events"],
                "customers": t["customers"],
                "drop_off": t["drop_off"],
            }
            for t in output["touchpoints"]
        },
        "transitions": {
            f"{t['from']} -> {t['to']}": {
                key: t[key]
                for key in (
                    "count",
                    "customers",
                    "mean_s",
                    "median_s",
                    "p90_s",
                    "min_s",
                    "max_s",
                    "stdev_s",
                )
            }
            for t in output["transitions"]
        },
        "starts": dict(output["starts"]),
        "ends": dict(output["ends"]),
    }


def normalize_variants(output):
    return {
        "variants": [
            {
                "variant": " > ".join(v["variant"]),
                "customers": v["customers"],
                "coverage": v["coverage"],
            }
            for v in output
        ]
    }


def duration_stats(stats):
    histogram = stats.get("histogram") or []
    return {
        "count": stats["count"],
        "mean_s": stats["mean_s"],
        "median_s": stats["median_s"],
        "p90_s": stats["p90_s"],
        "min_s": histogram[0]["from_s"] if histogram else None,
        "histogram_counts": [b["count"] for b in histogram],
    }


def normalize_funnel(output):
    return {
        "steps": [
            {
                "touchpoint": s["touchpoint"],
                "customers": s["customers"],
                "drop_off": s["drop_off"],
                "from_previous": duration_stats(s),
                "from_start": duration_stats(s["from_start"]),
            }
            for s in output["steps"]
        ]
    }


def normalize_paths(output):
    return {
        "paths": output["paths"],
        "customers": output["customers"],
        "nodes": {
            n["key"]: {
                "paths": n["paths"],
                "outflow": n["outflow"],
                "drop_off": n["drop_off"],
                "customers": n["customers"],
            }
            for n in output["nodes"]
        },
        "edges": {
            f"{e['source']} -> {e['target']}": {
                "kind": e["kind"],
                "count": e["count"],
                "customers": e["customers"],
                "duration": None if e["duration"] is None else duration_stats(e["duration"]),
            }
            for e in output["edges"]
        },
    }


NORMALIZERS = {
    "map": normalize_map,
    "variants": normalize_variants,
    "funnel": normalize_funnel,
    "paths": normalize_paths,
}


def differences(ours, theirs, path="", field=""):
    """Every disagreement as (path, touchpoint's value, the peer's value)."""
    found = []
    if isinstance(theirs, dict) and isinstance(ours, dict):
        is_rows = field in ROW_MAPS
        keys = sorted(set(ours) | set(theirs)) if is_rows else sorted(theirs)
        for key in keys:
            where = f"{path}.{key}" if path else str(key)
            if key not in ours:
                found.append((where, "(missing)", theirs[key]))
            elif key not in theirs:
                found.append((where, ours[key], "(missing)"))
            else:
                found += differences(ours[key], theirs[key], where, key)
    elif isinstance(theirs, list) and isinstance(ours, list):
        if len(ours) != len(theirs):
            found.append((f"{path} (length)", len(ours), len(theirs)))
        for idx, (a, b) in enumerate(zip(ours, theirs)):
            found += differences(a, b, f"{path}[{idx}]", field)
    elif not values_agree(ours, theirs, field):
        found.append((path, ours, theirs))
    return found


def values_agree(ours, theirs, field):
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(ours, bool) or isinstance(theirs, bool) or isinstance(ours, str):
        return ours == theirs
    if isinstance(ours, int) and isinstance(theirs, int):
        return ours == theirs
    if field.endswith("_s"):
        return abs(float(ours) - float(theirs)) <= DURATION_TOLERANCE_S
    # Ratios and counts that arrived as floats.
    scale = max(abs(float(ours)), abs(float(theirs)), 1e-300)
    return abs(float(ours) - float(theirs)) <= RATIO_TOLERANCE * scale


def describe(found, limit=12):
    """The first disagreements, one per line."""
    lines = [f"  {where}: touchpoint={ours!r} peer={theirs!r}" for where, ours, theirs in found[:limit]]
    if len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more")
    return "\n".join(lines)
