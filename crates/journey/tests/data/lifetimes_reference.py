"""Reference numbers from the `lifetimes` package (0.11.3, MIT) for the
customer-base model tests in tests/it/value.rs.

Run once with `lifetimes` installed:
    python3 -m venv /tmp/lt-venv && /tmp/lt-venv/bin/pip install lifetimes
    /tmp/lt-venv/bin/python lifetimes_reference.py > lifetimes_reference.txt
The output is `key = value` lines; the Rust tests parse them.
"""
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data
import lifetimes

out = []


def scalar(v):
    return float(np.asarray(v).ravel()[0])


def emit(key, value):
    value = np.asarray(value).ravel()[0].item() if not isinstance(value, str) else value
    out.append(f"{key} = {value!r}")


emit("lifetimes.version", lifetimes.__version__)
d = load_cdnow_summary_data_with_monetary_value()
x, tx, T, m = d["frequency"], d["recency"], d["T"], d["monetary_value"]
customers = [1, 2, 3, 10, 18, 100, 1000, 2357]

bg = BetaGeoFitter()
bg.fit(x, tx, T)
for k, v in bg.params_.items():
    emit(f"bgnbd.{k}", float(v))
# lifetimes fits on rescaled times and on grouped customers, so its stored
# objective is not the log-likelihood of the data: evaluate it directly.
ones = np.ones(len(x))
bg_params = bg.params_[["r", "alpha", "a", "b"]].to_numpy()
# Both objectives below are per-customer means (divided by the weight sum).
emit("bgnbd.loglik", len(x) * float(-BetaGeoFitter._negative_log_likelihood(np.log(bg_params), x.to_numpy(), tx.to_numpy(), T.to_numpy(), ones, 0.0)))
for c in customers:
    row = d.loc[c]
    emit(f"bgnbd.p_alive.{c}", scalar(bg.conditional_probability_alive(row.frequency, row.recency, row["T"])))
    for t in (10, 39, 52):
        emit(f"bgnbd.expected.{c}.{t}", scalar(bg.conditional_expected_number_of_purchases_up_to_time(t, row.frequency, row.recency, row["T"])))
emit("bgnbd.unconditional.39", float(bg.expected_number_of_purchases_up_to_time(39)))

pnbd = ParetoNBDFitter()
pnbd.fit(x, tx, T)
for k, v in pnbd.params_.items():
    emit(f"paretonbd.{k}", float(v))
pnbd_params = pnbd.params_[["r", "alpha", "s", "beta"]].to_numpy()
emit("paretonbd.loglik", float(ParetoNBDFitter._conditional_log_likelihood(pnbd_params, x.to_numpy(), tx.to_numpy(), T.to_numpy()).sum()))
for c in customers:
    row = d.loc[c]
    emit(f"paretonbd.p_alive.{c}", scalar(pnbd.conditional_probability_alive(np.array([row.frequency]), np.array([row.recency]), np.array([row["T"]]))))
    for t in (10, 39, 52):
        emit(f"paretonbd.expected.{c}.{t}", scalar(pnbd.conditional_expected_number_of_purchases_up_to_time(t, np.array([row.frequency]), np.array([row.recency]), np.array([row["T"]]))))
emit("paretonbd.unconditional.39", float(pnbd.expected_number_of_purchases_up_to_time(39)))

repeat = d[d["frequency"] > 0]
gg = GammaGammaFitter()
gg.fit(repeat["frequency"], repeat["monetary_value"])
for k, v in gg.params_.items():
    emit(f"gammagamma.{k}", float(v))
gg_params = gg.params_[["p", "q", "v"]].to_numpy()
emit("gammagamma.loglik", len(repeat) * float(-GammaGammaFitter._negative_log_likelihood(np.log(gg_params), repeat["frequency"].to_numpy(), repeat["monetary_value"].to_numpy(), np.ones(len(repeat)), 0.0)))
for c in customers:
    row = d.loc[c]
    emit(f"gammagamma.expected_spend.{c}", float(gg.conditional_expected_average_profit(pd.Series([row.frequency]), pd.Series([row.monetary_value])).iloc[0]))
# Discounted CLV over 12 months of 4.345 weeks at 1 % a month (lifetimes'
# own convention for weekly data).
clv = gg.customer_lifetime_value(bg, x, tx, T, m, time=12, discount_rate=0.01, freq="W")
for c in customers:
    emit(f"clv.bgnbd.{c}", float(clv.loc[c]))

# The raw sample: calibration until 1997-09-30, holdout until 1998-06-30,
# in days and with same-day purchases merged.
raw = pd.read_csv("cdnow_sample.txt", sep=r"\s+", header=None,
                  names=["master_id", "customer_id", "date", "cds", "value"],
                  dtype={"date": str})
raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
ch = calibration_and_holdout_data(raw, "customer_id", "date",
                                  calibration_period_end="1997-09-30",
                                  observation_period_end="1998-06-30",
                                  freq="D", monetary_value_col="value")
emit("holdout.customers", int(len(ch)))
emit("holdout.frequency_holdout_sum", float(ch["frequency_holdout"].sum()))
emit("holdout.duration_holdout", float(ch["duration_holdout"].iloc[0]))
# The Gamma-Gamma fit on exact mean spends from the raw sample (the summary
# CSV rounds them to cents, which moves gamma from 15.44 to 15.45).
raw_summary = summary_data_from_transaction_data(raw, "customer_id", "date", monetary_value_col="value",
                                                 observation_period_end="1997-09-30", freq="D")
raw_repeat = raw_summary[raw_summary["frequency"] > 0]
gg_raw = GammaGammaFitter()
gg_raw.fit(raw_repeat["frequency"], raw_repeat["monetary_value"])
for k, v in gg_raw.params_.items():
    emit(f"gammagamma_raw.{k}", float(v))
for c in customers:
    row = ch.loc[c]
    for col in ("frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout", "monetary_value_holdout"):
        emit(f"holdout.{col}.{c}", float(row[col]))

print("\n".join(out))
