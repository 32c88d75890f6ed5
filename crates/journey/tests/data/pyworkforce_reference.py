"""Reference staffing numbers from `pyworkforce` (0.5.1, MIT) for the Erlang C
agreement test in tests/it/staffing.rs.

Run once with `pyworkforce` installed:
    python3 -m venv /tmp/lt-venv && /tmp/lt-venv/bin/pip install pyworkforce
    /tmp/lt-venv/bin/python pyworkforce_reference.py > pyworkforce_reference.csv

pyworkforce takes times in minutes: `aht` is the average handle time,
`asa` the answer-within target of the service level, `interval` the
interval length, `transactions` the contacts offered per interval.
Each row is one case of `ErlangC.required_positions` followed by the
metrics at a fixed number of positions (`probe_positions`).
"""
import csv
import itertools
import sys

from pyworkforce.queuing import ErlangC

# (transactions, aht_min, interval_min): light to heavy traffic.
loads = [
    (100, 3, 30),
    (20, 4, 30),
    (250, 5.5, 60),
    (600, 4.25, 30),
    (1800, 6, 60),
    (45, 12, 15),
    (3000, 3.5, 30),
]
# (service_level target, asa_min, shrinkage, max_occupancy)
targets = [
    (0.8, 20 / 60, 0.3, 1.0),
    (0.9, 15 / 60, 0.0, 0.85),
    (0.95, 1.0, 0.35, 0.9),
    (0.7, 0.5, 0.25, 0.8),
]

writer = csv.writer(sys.stdout, lineterminator="\n")
writer.writerow([
    "transactions", "aht_min", "interval_min", "asa_min", "shrinkage",
    "service_level_target", "max_occupancy",
    "raw_positions", "positions", "service_level", "occupancy", "waiting_probability",
    "probe_positions", "probe_waiting_probability", "probe_service_level", "probe_occupancy",
])
for (transactions, aht, interval), (target, asa, shrinkage, max_occupancy) in itertools.product(loads, targets):
    erlang = ErlangC(transactions=transactions, aht=aht, asa=asa, interval=interval, shrinkage=shrinkage)
    result = erlang.required_positions(service_level=target, max_occupancy=max_occupancy)
    # A probe a few positions above the offered load, whatever the target.
    probe = int(erlang.intensity) + 3
    writer.writerow([
        transactions, aht, interval, repr(asa), shrinkage, target, max_occupancy,
        result["raw_positions"], result["positions"], repr(result["service_level"]),
        repr(result["occupancy"]), repr(result["waiting_probability"]),
        probe, repr(erlang.waiting_probability(probe)), repr(erlang.service_level(probe)),
        repr(erlang.achieved_occupancy(probe)),
    ])
