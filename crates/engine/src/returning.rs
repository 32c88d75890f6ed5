//! The return-journey queries: retention cohorts, lifecycle, and customer
//! value (BG/NBD, Pareto/NBD, Gamma-Gamma, CLV, RFM, slipping away) over
//! the stored purchase histories. Text in, validated specs, kernels from
//! `journey::retention` and `journey::value`.

use crate::query::Filters;
use crate::{Engine, EngineError, EventFilter};
use journey::Accumulator;
use journey::funnel::catalog_names;
use journey::retention::{
    LifecycleAccumulator, LifecycleReport, LifecycleSpec, Period, PeriodSpec, PersonaSpec,
    PoorExperienceAccumulator, PoorExperienceSpec, PurchaseHistoryAccumulator, PurchaseHistorySpec,
    RepeatAccumulator, RepeatReport, RepeatSpec, RetentionAccumulator, RetentionReport,
    RetentionSpec, SlippingAway, SlippingOptions, StickinessAccumulator, StickinessReport,
    StickinessSpec, customer_outlooks, slipping_away,
};
use journey::value::{
    BgNbd, FitOptions, GammaGamma, ParetoNbd, PeriodUnit, SummaryOptions, rfm_scores,
};
use serde::Serialize;
use std::collections::BTreeMap;

fn invalid(message: String) -> EngineError {
    EngineError::Invalid(message)
}

/// Period settings as text.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodsText {
    /// `day`, `week` or `month`.
    pub period: String,
    pub periods: usize,
    /// Start of period 0 (ISO date); default the first stored event.
    pub from: Option<String>,
}

impl Default for PeriodsText {
    fn default() -> Self {
        PeriodsText {
            period: "week".into(),
            periods: 12,
            from: None,
        }
    }
}

/// A retention triangle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetentionQuery {
    pub filters: Filters,
    pub start: Vec<String>,
    pub returning: Vec<String>,
    /// `first_time` or `recurring`.
    pub retention_type: String,
    pub periods: PeriodsText,
    pub cumulative: bool,
    /// `total` or `previous`.
    pub reference: String,
}

/// Lifecycle (new, returning, resurrecting, dormant) per period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LifecycleQuery {
    pub filters: Filters,
    pub touchpoints: Vec<String>,
    pub periods: PeriodsText,
}

/// Stickiness: customers by the number of active days per period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StickinessQuery {
    pub filters: Filters,
    /// Touchpoints that make a customer active; empty for any.
    pub touchpoints: Vec<String>,
    pub periods: PeriodsText,
}

/// Repeat purchase, loyalty and advocacy reach, referrals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepeatQuery {
    pub filters: Filters,
    /// Purchase touchpoints; default the definition's `outcomes.purchase`.
    pub purchase: Vec<String>,
    /// Referral touchpoints; default `outcomes.recommendation`.
    pub referral: Vec<String>,
    /// The loyalty stage's name; default the stage called `loyalty`, if any.
    pub loyalty_stage: Option<String>,
    /// The advocacy stage's name; default the stage called `advocacy`, if any.
    pub advocacy_stage: Option<String>,
}

/// The customer-base models over purchase histories.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueQuery {
    pub filters: Filters,
    /// Purchase touchpoints; default the definition's `outcomes.purchase`.
    pub purchase: Vec<String>,
    /// End of calibration (ISO date); default the last stored event.
    pub calibration_end: Option<String>,
    /// `day` or `week`.
    pub period: String,
    /// Customers listed in `outlooks` (highest CLV first).
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FittedBgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FittedParetoNbd {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
    pub log_likelihood: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FittedGammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlookRow {
    pub customer: String,
    pub p_alive: f64,
    pub p_alive_before: Option<f64>,
    pub expected_purchases: f64,
    pub clv: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentCount {
    pub segment: String,
    pub customers: u64,
}

/// The value report (the `touchpoint value` JSON contract).
#[derive(Debug, Clone, Serialize)]
pub struct ValueReport {
    /// Customers with at least one purchase in calibration.
    pub customers: usize,
    pub calibration_end: String,
    pub period: String,
    pub bgnbd: FittedBgNbd,
    pub pareto_nbd: FittedParetoNbd,
    pub gamma_gamma: Option<FittedGammaGamma>,
    pub outlooks: Vec<OutlookRow>,
    pub rfm: Vec<SegmentCount>,
    pub slipping_away: Option<SlippingAway>,
}

fn parse_time(text: &str, name: &str) -> Result<i64, EngineError> {
    model::parse_timestamp(text).map_err(|e| invalid(format!("{name}: {e}")))
}

impl Engine {
    /// First and last stored event times, µs.
    async fn time_range(&self) -> Result<(i64, i64), EngineError> {
        let batches = self
            .sql("SELECT CAST(min(ts) AS BIGINT), CAST(max(ts) AS BIGINT) FROM events")
            .await?;
        let batch = batches
            .first()
            .filter(|b| b.num_rows() > 0)
            .ok_or_else(|| invalid("the store holds no events".into()))?;
        let column = |i: usize| {
            let array =
                arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(batch.column(i));
            (!arrow::array::Array::is_null(array, 0)).then(|| array.value(0))
        };
        match (column(0), column(1)) {
            (Some(first), Some(last)) => Ok((first, last)),
            _ => Err(invalid("the store holds no events".into())),
        }
    }

    async fn period_spec(&self, text: &PeriodsText) -> Result<PeriodSpec, EngineError> {
        let period = match text.period.as_str() {
            "day" => Period::Day,
            "week" => Period::Week,
            "month" => Period::Month,
            other => return Err(invalid(format!("period {other:?}: use day, week or month"))),
        };
        let from_us = match &text.from {
            Some(from) => parse_time(from, "from")?,
            None => self.time_range().await?.0,
        };
        Ok(PeriodSpec {
            period,
            from_us,
            n_periods: text.periods,
        })
    }

    /// Retention cohorts. The persona filter narrows the customers; the
    /// report also breaks every persona of the definition out.
    pub async fn retention(&self, query: &RetentionQuery) -> Result<RetentionReport, EngineError> {
        let filter = whole_history(&query.filters)?;
        let spec = RetentionSpec {
            start: query.start.clone(),
            returning: query.returning.clone(),
            retention_type: match query.retention_type.as_str() {
                "" | "first_time" => journey::retention::RetentionType::FirstTime,
                "recurring" => journey::retention::RetentionType::Recurring,
                other => {
                    return Err(invalid(format!(
                        "retention type {other:?}: use first_time or recurring"
                    )));
                }
            },
            periods: self.period_spec(&query.periods).await?,
            cumulative: query.cumulative,
            reference: match query.reference.as_str() {
                "" | "total" => journey::retention::RetentionReference::Total,
                "previous" => journey::retention::RetentionReference::Previous,
                other => {
                    return Err(invalid(format!(
                        "reference {other:?}: use total or previous"
                    )));
                }
            },
            personas: PersonaSpec::all_of(self.catalog()),
        };
        let validated = spec
            .validate(&catalog_names(self.catalog()))
            .map_err(|e| invalid(e.to_string()))?;
        let accumulator = self
            .run("retention", &filter, move || {
                RetentionAccumulator::new(&validated)
            })
            .await?;
        Ok(accumulator.finish())
    }

    /// Lifecycle per period.
    pub async fn lifecycle(&self, query: &LifecycleQuery) -> Result<LifecycleReport, EngineError> {
        let filter = whole_history(&query.filters)?;
        let spec = LifecycleSpec {
            touchpoints: query.touchpoints.clone(),
            periods: self.period_spec(&query.periods).await?,
            new_customer: Default::default(),
            personas: PersonaSpec::all_of(self.catalog()),
        };
        let validated = spec
            .validate(&catalog_names(self.catalog()))
            .map_err(|e| invalid(e.to_string()))?;
        let accumulator = self
            .run("lifecycle", &filter, move || {
                LifecycleAccumulator::new(&validated)
            })
            .await?;
        Ok(accumulator.finish())
    }

    /// Stickiness per period.
    pub async fn stickiness(
        &self,
        query: &StickinessQuery,
    ) -> Result<StickinessReport, EngineError> {
        let filter = whole_history(&query.filters)?;
        let spec = StickinessSpec {
            touchpoints: query.touchpoints.clone(),
            periods: self.period_spec(&query.periods).await?,
            personas: PersonaSpec::all_of(self.catalog()),
        };
        let validated = spec
            .validate(&catalog_names(self.catalog()))
            .map_err(|e| invalid(e.to_string()))?;
        let accumulator = self
            .run("stickiness", &filter, move || {
                StickinessAccumulator::new(&validated)
            })
            .await?;
        Ok(accumulator.finish())
    }

    /// Repeat purchase and the circular part of the journey.
    pub async fn repeat(&self, query: &RepeatQuery) -> Result<RepeatReport, EngineError> {
        let filter = whole_history(&query.filters)?;
        let outcomes = &self.definition().outcomes;
        let purchase = if query.purchase.is_empty() {
            outcomes.purchase.clone()
        } else {
            query.purchase.clone()
        };
        if purchase.is_empty() {
            return Err(invalid(
                "no purchase touchpoint: pass one, or set outcomes.purchase in journey.toml".into(),
            ));
        }
        let referral = if query.referral.is_empty() {
            outcomes.recommendation.clone()
        } else {
            query.referral.clone()
        };
        let catalog = self.catalog();
        let stage = |given: &Option<String>, default: &str| -> Result<Option<usize>, EngineError> {
            match given {
                Some(name) => catalog
                    .stages()
                    .iter()
                    .position(|s| s == name)
                    .map(Some)
                    .ok_or_else(|| {
                        invalid(format!(
                            "stage {name:?} is not in the journey definition (stages: {})",
                            catalog.stages().join(", ")
                        ))
                    }),
                None => Ok(catalog.stages().iter().position(|s| s == default)),
            }
        };
        let spec = RepeatSpec {
            purchase,
            referral,
            stage_of: RepeatSpec::stages_of(catalog),
            loyalty_stage: stage(&query.loyalty_stage, "loyalty")?,
            advocacy_stage: stage(&query.advocacy_stage, "advocacy")?,
            personas: PersonaSpec::all_of(catalog),
        };
        let validated = spec
            .validate(&catalog_names(catalog))
            .map_err(|e| invalid(e.to_string()))?;
        let accumulator = self
            .run("repeat", &filter, move || {
                RepeatAccumulator::new(&validated)
            })
            .await?;
        Ok(accumulator.finish())
    }

    /// Fits the customer-base models on the purchase histories.
    pub async fn value(&self, query: &ValueQuery) -> Result<ValueReport, EngineError> {
        let filter = whole_history(&query.filters)?;
        let purchase = if query.purchase.is_empty() {
            self.definition().outcomes.purchase.clone()
        } else {
            query.purchase.clone()
        };
        if purchase.is_empty() {
            return Err(invalid(
                "no purchase touchpoint: pass one, or set outcomes.purchase in journey.toml".into(),
            ));
        }
        let names = catalog_names(self.catalog());
        let histories_query = PurchaseHistorySpec { purchase }
            .validate(&names)
            .map_err(|e| invalid(e.to_string()))?;
        let poor_query = PoorExperienceSpec {
            threshold: -0.3,
            keep_last: 3,
        }
        .validate(&names)
        .map_err(|e| invalid(e.to_string()))?;
        let (accumulator, _) = self
            .run_with_facts("value", &filter, move || {
                (
                    PurchaseHistoryAccumulator::new(&histories_query),
                    PoorExperienceAccumulator::new(&poor_query),
                )
            })
            .await?;
        let (histories, poor) = accumulator.finish();
        let calibration_end_us = match &query.calibration_end {
            Some(text) => parse_time(text, "calibration end")?,
            None => self.time_range().await?.1,
        };
        let period = match query.period.as_str() {
            "" | "week" => PeriodUnit::Week,
            "day" => PeriodUnit::Day,
            other => return Err(invalid(format!("period {other:?}: use day or week"))),
        };
        let summary_options = SummaryOptions {
            period,
            calibration_end_us,
            holdout_end_us: None,
        };
        let value_error = |e: journey::value::ValueError| invalid(e.to_string());
        let summaries = histories.summaries(&summary_options).map_err(value_error)?;
        let base = histories
            .customer_base(&summary_options)
            .map_err(value_error)?;
        let fit = FitOptions::default();
        let bgnbd = BgNbd::fit(&base, &fit).map_err(value_error)?;
        let pareto = ParetoNbd::fit(&base, &fit).map_err(value_error)?;
        let spend: Vec<_> = summaries
            .iter()
            .map(|s| s.spend())
            .filter(|s| s.frequency > 0 && s.monetary_value > 0.0)
            .collect();
        let gamma_gamma = GammaGamma::fit(&spend, &fit).ok();
        let options = journey::retention::OutlookOptions::new(calibration_end_us, period);
        let (outlooks, slipping) = match &gamma_gamma {
            Some(spend_model) if spend_model.model.q > 1.0 => {
                let outlooks =
                    customer_outlooks(&histories, &bgnbd.model, &spend_model.model, &options)
                        .map_err(value_error)?;
                let slipping = slipping_away(&outlooks, &poor, &SlippingOptions::default())
                    .map_err(|e| invalid(e.to_string()))?;
                (outlooks, Some(slipping))
            }
            _ => (Vec::new(), None),
        };
        let mut ranked = outlooks.clone();
        ranked.sort_by(|a, b| b.clv.total_cmp(&a.clv).then(a.customer.cmp(&b.customer)));
        ranked.truncate(query.limit.max(1));
        let rfm_input = histories.rfm_values(calibration_end_us);
        let rfm_values: Vec<_> = rfm_input.iter().map(|(_, v)| *v).collect();
        let mut segments: BTreeMap<String, u64> = BTreeMap::new();
        if !rfm_values.is_empty() {
            for score in rfm_scores(&rfm_values).map_err(value_error)? {
                *segments
                    .entry(score.segment.name().to_string())
                    .or_default() += 1;
            }
        }
        let period_name = match period {
            PeriodUnit::Day => "day",
            PeriodUnit::Week => "week",
        };
        Ok(ValueReport {
            customers: summaries.len(),
            calibration_end: model::format_timestamp(calibration_end_us),
            period: period_name.into(),
            bgnbd: FittedBgNbd {
                r: bgnbd.model.r,
                alpha: bgnbd.model.alpha,
                a: bgnbd.model.a,
                b: bgnbd.model.b,
                log_likelihood: bgnbd.log_likelihood,
            },
            pareto_nbd: FittedParetoNbd {
                r: pareto.model.r,
                alpha: pareto.model.alpha,
                s: pareto.model.s,
                beta: pareto.model.beta,
                log_likelihood: pareto.log_likelihood,
            },
            gamma_gamma: gamma_gamma.map(|g| FittedGammaGamma {
                p: g.model.p,
                q: g.model.q,
                gamma: g.model.gamma,
            }),
            outlooks: ranked
                .iter()
                .map(|o| OutlookRow {
                    customer: o.customer.to_string(),
                    p_alive: o.p_alive,
                    p_alive_before: o.p_alive_before,
                    expected_purchases: o.expected_purchases,
                    clv: o.clv,
                })
                .collect(),
            rfm: segments
                .into_iter()
                .map(|(segment, customers)| SegmentCount { segment, customers })
                .collect(),
            slipping_away: slipping,
        })
    }
}

/// Return-journey kernels need each customer's whole history: a time
/// filter would make "first ever" wrong, so it is refused.
fn whole_history(filters: &Filters) -> Result<EventFilter, EngineError> {
    if filters.from.is_some() || filters.to.is_some() {
        return Err(invalid(
            "retention and value read whole histories: use the period settings, not from/to".into(),
        ));
    }
    filters.to_filter()
}
