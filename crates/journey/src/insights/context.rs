//! What the insight kernels need to know about the business: each
//! touchpoint's stage, channel kind and role (purchase, recommendation,
//! complaint, follow-up, self-service), the targets and the outcome
//! definitions. Spelled with names in [`InsightSpec`], validated once into
//! an [`InsightContext`] of ids that the kernels share.

use super::emotion::{EmotionConfig, SIGNAL_WEIGHTS};
use super::{InsightsError, check_range, days_us};
use crate::{Journey, NO_NAME};
use model::{Catalog, ChannelKind};
use std::sync::Arc;

/// The insight kernels' view of the journey definition, by name. Build it
/// with [`InsightSpec::new`], adjust fields, then [`InsightSpec::validate`].
#[derive(Debug, Clone)]
pub struct InsightSpec {
    pub catalog: Arc<Catalog>,
    /// Number of personas; bit `i` of `Journey::personas` is persona `i`.
    pub n_personas: usize,
    /// Touchpoints that are a purchase (default: the definition's outcomes).
    pub purchase: Vec<String>,
    /// Touchpoints that are a recommendation or referral.
    pub recommendation: Vec<String>,
    /// Touchpoints that are a complaint (default: names containing
    /// `complaint`): an escalation.
    pub complaint: Vec<String>,
    /// Touchpoints that follow a purchase up (default: names containing
    /// `follow_up`; else the e-mail and text touchpoints of the stage after
    /// the first purchase touchpoint's).
    pub follow_up: Vec<String>,
    /// Digital touchpoints where customers help themselves (default: web
    /// and app touchpoints other than purchases from the first purchase
    /// stage on — help centre, app, portals — or, without purchases, those of stages named
    /// `support`). A human contact right after one is failure demand.
    pub self_service: Vec<String>,
    /// Touchpoints that end the relationship (default: names containing
    /// `cancel`): a journey ending there is no drop-off *there*.
    pub exit: Vec<String>,
    /// NPS answers at or above this are promoters.
    pub promoter_min: f32,
    /// NPS answers at or below this are detractors.
    pub detractor_max: f32,
    /// A purchase within this many days after another is a repurchase.
    pub repurchase_days: f64,
    /// A journey whose last event lies this many days before `data_end_us`
    /// has ended (dropped off); one ending later may still continue.
    pub churn_days: f64,
    /// The end of the data, microseconds since the epoch: outcomes that
    /// could not yet have happened are not counted as absent. `None`
    /// treats every journey as complete.
    pub data_end_us: Option<i64>,
    /// Waits beyond this are a poor experience.
    pub wait_target_s: f32,
    /// A contact within this many days of the previous one is a repeat.
    pub repeat_contact_days: f64,
    /// A purchase should be followed up within this many days.
    pub follow_up_days: f64,
    /// A human contact at most this long after a self-service touchpoint is
    /// a channel switch.
    pub switch_window_s: f64,
    /// Events with an emotion at or below this are poor experiences.
    pub poor_emotion_max: f32,
}

/// One touchpoint's place and roles.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Role {
    pub stage: u32,
    /// The touchpoint's channel kind is human (and `physical` below
    /// physical; neither means digital).
    pub human: bool,
    pub physical: bool,
    pub purchase: bool,
    pub recommendation: bool,
    pub complaint: bool,
    pub follow_up: bool,
    pub self_service: bool,
    pub exit: bool,
    /// In or after the first purchase touchpoint's stage (every stage when
    /// there are no purchase touchpoints): contacts here are tickets.
    pub after_sale: bool,
}

/// A validated [`InsightSpec`]: roles by touchpoint id, windows in
/// microseconds.
#[derive(Debug, Clone)]
pub struct InsightContext {
    pub emotion: EmotionConfig,
    pub n_stages: usize,
    pub n_personas: usize,
    pub promoter_min: f32,
    pub detractor_max: f32,
    pub repurchase_us: i64,
    pub churn_us: i64,
    pub data_end_us: Option<i64>,
    pub follow_up_us: i64,
    pub poor_emotion_max: f32,
}

impl InsightSpec {
    /// The spec the journey definition implies, with the defaults above.
    pub fn new(catalog: Arc<Catalog>) -> InsightSpec {
        let definition = catalog.definition();
        let names = |keep: &dyn Fn(&str) -> bool| -> Vec<String> {
            (catalog.touchpoints())
                .map(|(_, info)| info.name.clone())
                .filter(|name| keep(name))
                .collect()
        };
        let complaint = names(&|name| name.contains("complaint"));
        let exit = names(&|name| name.contains("cancel"));
        let mut follow_up = names(&|name| name.contains("follow_up") || name.contains("followup"));
        let purchase_stage = (definition.outcomes.purchase.iter())
            .filter_map(|name| catalog.lookup(name))
            .map(|id| catalog.stage_of(id))
            .min();
        let channel_of = |name: &str| {
            (definition.touchpoint(name))
                .and_then(|t| t.channel.clone())
                .unwrap_or_default()
        };
        if follow_up.is_empty()
            && let Some(stage) = purchase_stage
        {
            follow_up = (catalog.touchpoints())
                .filter(|(_, info)| info.stage_idx == stage + 1)
                .filter(|(_, info)| matches!(channel_of(&info.name).as_str(), "email" | "sms"))
                .map(|(_, info)| info.name.clone())
                .collect();
        }
        let purchases = &definition.outcomes.purchase;
        let self_service = (catalog.touchpoints())
            .filter(|(_, info)| info.kind == ChannelKind::Digital)
            .filter(|(_, info)| !purchases.contains(&info.name))
            .filter(|(_, info)| match purchase_stage {
                Some(stage) => {
                    info.stage_idx >= stage
                        && matches!(
                            channel_of(&info.name).as_str(),
                            "web" | "mobile_app" | "app"
                        )
                }
                None => catalog.stages()[info.stage_idx].contains("support"),
            })
            .map(|(_, info)| info.name.clone())
            .collect();
        let outcomes = &definition.outcomes;
        let targets = &definition.targets;
        InsightSpec {
            n_personas: definition.personas.len(),
            purchase: outcomes.purchase.clone(),
            recommendation: outcomes.recommendation.clone(),
            complaint,
            follow_up,
            self_service,
            exit,
            promoter_min: outcomes.promoter_min,
            detractor_max: 6.0,
            repurchase_days: f64::from(outcomes.repurchase_days),
            churn_days: f64::from(outcomes.churn_days),
            data_end_us: None,
            wait_target_s: targets.wait_s,
            repeat_contact_days: f64::from(targets.repeat_contact_days),
            follow_up_days: f64::from(targets.follow_up_days),
            switch_window_s: 86_400.0,
            poor_emotion_max: -0.5,
            catalog,
        }
    }

    pub fn validate(&self) -> Result<InsightContext, InsightsError> {
        check_range("n_personas", self.n_personas as f64, 0.0..=64.0)?;
        check_range("promoter_min", f64::from(self.promoter_min), 0.0..=10.0)?;
        check_range("detractor_max", f64::from(self.detractor_max), 0.0..=10.0)?;
        check_range("repurchase_days", self.repurchase_days, 0.0..=36_500.0)?;
        check_range("churn_days", self.churn_days, 0.0..=36_500.0)?;
        check_range("wait_target_s", f64::from(self.wait_target_s), 0.0..=1e9)?;
        check_range(
            "repeat_contact_days",
            self.repeat_contact_days,
            0.0..=3_650.0,
        )?;
        check_range("follow_up_days", self.follow_up_days, 0.0..=3_650.0)?;
        check_range("switch_window_s", self.switch_window_s, 0.0..=1e9)?;
        check_range(
            "poor_emotion_max",
            f64::from(self.poor_emotion_max),
            -1.0..=1.0,
        )?;
        let catalog = &self.catalog;
        let purchase_stage = (self.purchase.iter())
            .filter_map(|name| catalog.lookup(name))
            .map(|id| catalog.stage_of(id))
            .min()
            .unwrap_or(0);
        let mut roles: Vec<Role> = (catalog.touchpoints())
            .map(|(_, info)| Role {
                stage: u32::try_from(info.stage_idx).expect("few stages"),
                human: info.kind == ChannelKind::Human,
                physical: info.kind == ChannelKind::Physical,
                after_sale: info.stage_idx >= purchase_stage,
                ..Role::default()
            })
            .collect();
        let mut mark = |role: &'static str,
                        names: &[String],
                        set: fn(&mut Role)|
         -> Result<(), InsightsError> {
            for name in names {
                let id = catalog
                    .lookup(name)
                    .ok_or_else(|| InsightsError::UnknownTouchpoint {
                        role,
                        name: name.clone(),
                    })?;
                set(&mut roles[id.index()]);
            }
            Ok(())
        };
        mark("purchase", &self.purchase, |r| r.purchase = true)?;
        mark("recommendation", &self.recommendation, |r| {
            r.recommendation = true
        })?;
        mark("complaint", &self.complaint, |r| r.complaint = true)?;
        mark("follow_up", &self.follow_up, |r| r.follow_up = true)?;
        mark("self_service", &self.self_service, |r| {
            r.self_service = true
        })?;
        mark("exit", &self.exit, |r| r.exit = true)?;
        Ok(InsightContext {
            emotion: EmotionConfig {
                roles,
                wait_target_s: self.wait_target_s,
                repeat_contact_us: days_us(self.repeat_contact_days),
                switch_window_us: (self.switch_window_s * 1e6).round() as i64,
                weights: SIGNAL_WEIGHTS,
            },
            n_stages: catalog.stages().len(),
            n_personas: self.n_personas,
            promoter_min: self.promoter_min,
            detractor_max: self.detractor_max,
            repurchase_us: days_us(self.repurchase_days),
            churn_us: days_us(self.churn_days),
            data_end_us: self.data_end_us,
            follow_up_us: days_us(self.follow_up_days),
            poor_emotion_max: self.poor_emotion_max,
        })
    }
}

impl Role {
    /// The touchpoint's channel kind.
    pub fn channel_kind(&self) -> ChannelKind {
        if self.human {
            ChannelKind::Human
        } else if self.physical {
            ChannelKind::Physical
        } else {
            ChannelKind::Digital
        }
    }
}

impl InsightContext {
    pub fn roles(&self) -> &[Role] {
        &self.emotion.roles
    }

    pub fn role(&self, journey: &Journey<'_>, index: usize) -> Role {
        self.emotion.role(journey, index)
    }

    /// The persona groups of a journey: 0 (everyone), then `1 + i` for each
    /// persona `i` the customer belongs to.
    pub(crate) fn groups(&self, personas: u64) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(0).chain(
            (0..self.n_personas)
                .filter(move |&bit| super::in_persona(personas, bit))
                .map(|bit| bit + 1),
        )
    }

    /// Whether the journey has ended: its last event lies at least
    /// `churn_us` before the end of the data (always, without a data end).
    pub(crate) fn ended(&self, journey: &Journey<'_>) -> bool {
        let last = journey.ts_us.last().copied().unwrap_or(i64::MIN);
        self.data_end_us
            .is_none_or(|end| end.saturating_sub(last) >= self.churn_us)
    }

    /// Whether an outcome window of `window_us` after `ts_us` lies inside
    /// the data.
    pub(crate) fn observable(&self, ts_us: i64, window_us: i64) -> bool {
        self.data_end_us
            .is_none_or(|end| ts_us.saturating_add(window_us) <= end)
    }
}

/// Whether event `index` is a contact with the contact centre: a human
/// touchpoint's event with contact details (a queue or talk time) when the
/// journey carries them — so that scheduled visits and outbound calls
/// without a queue are not taken for customers' contacts — else one with
/// an agent, a resolution, an abandonment or a wait, else any human
/// touchpoint's event when the journey carries none of those facts.
pub(crate) fn is_contact(config: &EmotionConfig, journey: &Journey<'_>, index: usize) -> bool {
    if !config.role(journey, index).human {
        return false;
    }
    let facts = &journey.facts;
    if let Some(contact) = facts.contact.get(index) {
        return contact.is_contact();
    }
    let no_details = facts.agent.is_empty()
        && facts.resolved.is_empty()
        && facts.abandoned.is_empty()
        && facts.wait_s.is_empty();
    no_details
        || facts.agent.get(index).is_some_and(|&a| a != NO_NAME)
        || facts.resolved.get(index).is_some_and(Option::is_some)
        || facts.abandoned.get(index).is_some_and(Option::is_some)
        || facts.wait_s.get(index).is_some_and(|w| w.is_finite())
}

/// Whether the journey has a purchase in `(after_us, after_us + window_us]`.
pub(crate) fn purchase_within(
    roles: &[Role],
    journey: &Journey<'_>,
    after_us: i64,
    window_us: i64,
) -> bool {
    (journey.ts_us.iter().zip(journey.touchpoint))
        .skip_while(|(ts_us, _)| **ts_us <= after_us)
        .take_while(|(ts_us, _)| **ts_us - after_us <= window_us)
        .any(|(_, id)| roles[id.index()].purchase)
}
