//! The journey operator: consumes a stream of events that is partitioned by
//! customer and sorted by (customer, ts), cuts it into journeys (one per
//! customer, also across batch boundaries), feeds each journey to a kernel
//! accumulator, and merges the partition's partial result into a shared
//! collector when the partition ends.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int32Type, Int64Type, Schema, SchemaRef,
    TimestampMicrosecondType,
};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{
    EquivalenceProperties, LexRequirement, OrderingRequirements, PhysicalExpr,
    PhysicalSortRequirement,
};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    Partitioning, PlanProperties, SendableRecordBatchStream,
};
use futures::StreamExt;
use journey::owned::OwnedFacts;
use journey::{Accumulator, Facts, Journey, NO_NAME};
use model::{Catalog, RatingScale, TouchpointId, columns};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What every partition of a journey operator shares: how to make an
/// accumulator, where to merge results, and the per-customer context.
pub trait JourneySink: Send + Sync + std::fmt::Debug {
    /// Runs over one partition's journeys; called once per partition.
    fn partial(&self) -> Box<dyn PartialJourneys>;
    fn describe(&self) -> String;
}

pub trait PartialJourneys: Send {
    fn observe(&mut self, journey: &Journey<'_>);
    /// Merges this partition's result into the shared collector.
    fn complete(self: Box<Self>);
}

/// A [`JourneySink`] for one accumulator type: partials merge into `merged`.
pub struct Collector<A: Accumulator, F: Fn() -> A + Send + Sync> {
    name: String,
    factory: F,
    merged: Arc<Mutex<Option<A>>>,
}

impl<A: Accumulator + 'static, F: Fn() -> A + Send + Sync + 'static> Collector<A, F> {
    pub fn new(name: &str, factory: F) -> Arc<Collector<A, F>> {
        Arc::new(Collector {
            name: name.to_string(),
            factory,
            merged: Arc::new(Mutex::new(None)),
        })
    }

    /// The merged result of every partition that ran, or a fresh
    /// accumulator when none did.
    pub fn take(&self) -> A {
        let taken = self
            .merged
            .lock()
            .expect("collector lock is never poisoned")
            .take();
        taken.unwrap_or_else(|| (self.factory)())
    }
}

impl<A: Accumulator, F: Fn() -> A + Send + Sync> std::fmt::Debug for Collector<A, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Collector({})", self.name)
    }
}

struct Partial<A: Accumulator> {
    accumulator: A,
    merged: Arc<Mutex<Option<A>>>,
}

impl<A: Accumulator> PartialJourneys for Partial<A> {
    fn observe(&mut self, journey: &Journey<'_>) {
        self.accumulator.observe(journey);
    }

    fn complete(self: Box<Self>) {
        let mut merged = self
            .merged
            .lock()
            .expect("collector lock is never poisoned");
        match merged.as_mut() {
            Some(existing) => existing.merge(self.accumulator),
            None => *merged = Some(self.accumulator),
        }
    }
}

impl<A: Accumulator + 'static, F: Fn() -> A + Send + Sync + 'static> JourneySink
    for Collector<A, F>
{
    fn partial(&self) -> Box<dyn PartialJourneys> {
        Box::new(Partial {
            accumulator: (self.factory)(),
            merged: self.merged.clone(),
        })
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// Per-customer context the operator attaches to each journey.
#[derive(Debug)]
pub struct JourneyContext {
    pub catalog: Arc<Catalog>,
    /// Customer key → persona bits; customers absent have none.
    pub personas: HashMap<u64, u64>,
    /// Only journeys of customers with all these persona bits are observed.
    pub require_personas: u64,
    /// Where each event's breakdown value comes from.
    pub breakdown: BreakdownValues,
    /// Whether journeys carry their per-event facts, and the name tables
    /// the interned fact columns use.
    pub facts: Option<FactNames>,
}

/// Id → name tables of the interned fact columns (channel, agent) and of
/// the contact details read from `properties` (queue, team, skill, issue).
#[derive(Debug, Default, Clone)]
pub struct FactNames {
    pub channels: Vec<String>,
    pub agents: Vec<String>,
    /// Theme labels, and the theme of each distinct text that has one.
    pub themes: Vec<String>,
    pub theme_of_text: HashMap<String, u32>,
    /// Contact details: when set, the `properties` of every contact event
    /// (an event with an agent, wait, handle time or abandonment flag) are
    /// parsed into [`journey::Contact`].
    pub contacts: Option<ContactNames>,
}

/// The names of the contact details found in the stored `properties`.
#[derive(Debug, Default, Clone)]
pub struct ContactNames {
    pub queues: Vec<String>,
    pub teams: Vec<String>,
    pub skills: Vec<String>,
    pub issues: Vec<String>,
}

/// The `properties` keys of contact details (DESIGN §4 leaves them to
/// `properties`; these are the names touchpoint reads).
pub mod contact_keys {
    pub const QUEUE: &str = "queue";
    pub const TEAM: &str = "team";
    pub const SKILL: &str = "skill";
    pub const ISSUE: &str = "issue";
    pub const TALK_S: &str = "talk_s";
    pub const HOLD_S: &str = "hold_s";
    pub const WRAP_S: &str = "wrap_s";
    pub const TRANSFERS: &str = "transfers";
}

/// The contact details of one event's `properties` JSON object: text values
/// of queue, team, skill and issue, and the talk/hold/wrap seconds and
/// transfers. Unknown keys and values of the wrong type are ignored.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ContactDetails {
    pub queue: Option<String>,
    pub team: Option<String>,
    pub skill: Option<String>,
    pub issue: Option<String>,
    pub talk_s: Option<f64>,
    pub hold_s: Option<f64>,
    pub wrap_s: Option<f64>,
    pub transfers: Option<u64>,
}

impl ContactDetails {
    pub fn parse(properties: &str) -> ContactDetails {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(properties) else {
            return ContactDetails::default();
        };
        let text = |key: &str| match map.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let seconds = |key: &str| {
            map.get(key)
                .and_then(serde_json::Value::as_f64)
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        ContactDetails {
            queue: text(contact_keys::QUEUE),
            team: text(contact_keys::TEAM),
            skill: text(contact_keys::SKILL),
            issue: text(contact_keys::ISSUE),
            talk_s: seconds(contact_keys::TALK_S),
            hold_s: seconds(contact_keys::HOLD_S),
            wrap_s: seconds(contact_keys::WRAP_S),
            transfers: map
                .get(contact_keys::TRANSFERS)
                .and_then(serde_json::Value::as_u64),
        }
    }
}

/// Name → id maps of [`ContactNames`].
#[derive(Debug)]
struct ContactIds {
    queues: HashMap<String, u32>,
    teams: HashMap<String, u32>,
    skills: HashMap<String, u32>,
    issues: HashMap<String, u32>,
}

impl ContactIds {
    fn new(names: &ContactNames) -> ContactIds {
        ContactIds {
            queues: FactNames::ids(&names.queues),
            teams: FactNames::ids(&names.teams),
            skills: FactNames::ids(&names.skills),
            issues: FactNames::ids(&names.issues),
        }
    }

    fn contact(&self, details: &ContactDetails) -> journey::Contact {
        let id = |value: &Option<String>, map: &HashMap<String, u32>| {
            value
                .as_deref()
                .and_then(|v| map.get(v).copied())
                .unwrap_or(NO_NAME)
        };
        let secs = |v: Option<f64>| v.map_or(f32::NAN, |v| v as f32);
        journey::Contact {
            queue: id(&details.queue, &self.queues),
            team: id(&details.team, &self.teams),
            skill: id(&details.skill, &self.skills),
            issue: id(&details.issue, &self.issues),
            talk_s: secs(details.talk_s),
            hold_s: secs(details.hold_s),
            wrap_s: secs(details.wrap_s),
            transfers: details
                .transfers
                .map_or(0, |t| u16::try_from(t).unwrap_or(u16::MAX)),
        }
    }
}

impl FactNames {
    fn ids(names: &[String]) -> HashMap<String, u32> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect()
    }
}

/// Per-event breakdown value ids, resolved once before the query runs.
#[derive(Debug, Default)]
pub enum BreakdownValues {
    #[default]
    None,
    /// The event's channel: channel name → id.
    Channel(HashMap<String, u32>),
    /// A customer trait: customer → id of the customer's value; customers
    /// without the trait get `missing`.
    Trait {
        values: HashMap<u64, u32>,
        missing: u32,
    },
}

#[derive(Debug)]
pub struct JourneyExec {
    input: Arc<dyn ExecutionPlan>,
    sink: Arc<dyn JourneySink>,
    context: Arc<JourneyContext>,
    properties: Arc<PlanProperties>,
}

impl JourneyExec {
    pub fn new(
        input: Arc<dyn ExecutionPlan>,
        sink: Arc<dyn JourneySink>,
        context: Arc<JourneyContext>,
    ) -> JourneyExec {
        let schema = Arc::new(Schema::empty());
        let partitions = input.output_partitioning().partition_count();
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        JourneyExec {
            input,
            sink,
            context,
            properties,
        }
    }

    fn column(&self, name: &str) -> Result<Arc<dyn PhysicalExpr>> {
        let index = self.input.schema().index_of(name)?;
        Ok(Arc::new(Column::new(name, index)))
    }
}

impl DisplayAs for JourneyExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "JourneyExec: kernel={}", self.sink.describe())
    }
}

impl ExecutionPlan for JourneyExec {
    fn name(&self) -> &str {
        "JourneyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        match self.column(columns::CUSTOMER) {
            Ok(customer) => vec![Distribution::KeyPartitioned(vec![customer])],
            Err(_) => vec![Distribution::SinglePartition],
        }
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        let requirement = [columns::CUSTOMER, columns::TS]
            .into_iter()
            .filter_map(|name| self.column(name).ok())
            .map(|expr| PhysicalSortRequirement::new(expr, None));
        vec![LexRequirement::new(requirement).map(OrderingRequirements::new)]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let input = children
            .into_iter()
            .next()
            .ok_or_else(|| DataFusionError::Internal("JourneyExec needs one child".into()))?;
        Ok(Arc::new(JourneyExec::new(
            input,
            self.sink.clone(),
            self.context.clone(),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let layout = ColumnLayout::of(&self.input.schema())?;
        let mut assembler = Assembler::new(self.sink.partial(), self.context.clone(), layout);
        let schema = self.schema();
        let stream = futures::stream::once(async move {
            let mut input = input;
            while let Some(batch) = input.next().await {
                assembler.push(&batch?)?;
            }
            assembler.finish();
            Ok(RecordBatch::new_empty(Arc::new(Schema::empty())))
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

/// Where the operator finds its columns in the input.
#[derive(Debug, Clone, Copy)]
struct ColumnLayout {
    customer: usize,
    ts: usize,
    touchpoint: usize,
    emotion: Option<usize>,
    channel: Option<usize>,
}

impl ColumnLayout {
    fn of(schema: &SchemaRef) -> Result<ColumnLayout> {
        Ok(ColumnLayout {
            customer: schema.index_of(columns::CUSTOMER)?,
            ts: schema.index_of(columns::TS)?,
            touchpoint: schema.index_of(columns::TOUCHPOINT)?,
            emotion: schema.index_of(columns::EMOTION).ok(),
            channel: schema.index_of(columns::CHANNEL).ok(),
        })
    }
}

/// Cuts a sorted event stream into journeys. The last customer of a batch
/// is held back (copied) because the next batch may continue it.
struct Assembler {
    partial: Box<dyn PartialJourneys>,
    context: Arc<JourneyContext>,
    layout: ColumnLayout,
    held: Held,
    fact_ids: Option<FactIds>,
}

#[derive(Default)]
struct Held {
    customer: Option<u64>,
    ts_us: Vec<i64>,
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
    breakdown: Vec<u32>,
    facts: OwnedFacts,
}

/// One batch's columns in the kernel's types.
struct Columns<'a> {
    customer: &'a [i64],
    ts_us: &'a [i64],
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
    /// Empty unless the query asked for a per-event (channel) breakdown.
    breakdown: Vec<u32>,
    /// Empty unless the query asked for facts.
    facts: OwnedFacts,
}

/// Name → id maps of the interned fact columns.
struct FactIds {
    channels: HashMap<String, u32>,
    agents: HashMap<String, u32>,
    themes: bool,
    contacts: Option<ContactIds>,
}

fn floats(batch: &RecordBatch, name: &str) -> Vec<f32> {
    match batch.column_by_name(name) {
        Some(column) => {
            let values = column.as_primitive::<Float32Type>();
            (0..values.len())
                .map(|i| {
                    if values.is_null(i) {
                        f32::NAN
                    } else {
                        values.value(i)
                    }
                })
                .collect()
        }
        None => Vec::new(),
    }
}

fn flags(batch: &RecordBatch, name: &str) -> Vec<Option<bool>> {
    match batch.column_by_name(name) {
        Some(column) => {
            let values = column.as_boolean();
            (0..values.len())
                .map(|i| (!values.is_null(i)).then(|| values.value(i)))
                .collect()
        }
        None => Vec::new(),
    }
}

fn optional_strings(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>> {
    match batch.column_by_name(name) {
        Some(column) => {
            let plain = arrow::compute::cast(column, &DataType::Utf8)?;
            Ok(plain
                .as_string::<i32>()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect())
        }
        None => Ok(Vec::new()),
    }
}

/// The fact columns of a batch (the plan projects them when facts are on).
fn batch_facts(batch: &RecordBatch, ids: &FactIds) -> Result<OwnedFacts> {
    let intern = |names: Vec<Option<String>>, map: &HashMap<String, u32>| -> Vec<u32> {
        names
            .iter()
            .map(|n| {
                n.as_deref()
                    .and_then(|n| map.get(n).copied())
                    .unwrap_or(NO_NAME)
            })
            .collect()
    };
    let value = match batch.column_by_name(columns::VALUE) {
        Some(column) => {
            let values = column.as_primitive::<Float64Type>();
            (0..values.len())
                .map(|i| {
                    if values.is_null(i) {
                        f64::NAN
                    } else {
                        values.value(i)
                    }
                })
                .collect()
        }
        None => Vec::new(),
    };
    let rating_scale = optional_strings(batch, columns::RATING_SCALE)?
        .iter()
        .map(|s| s.as_deref().and_then(RatingScale::parse))
        .collect();
    let agent_names = optional_strings(batch, columns::AGENT)?;
    let wait_s = floats(batch, columns::WAIT_S);
    let handle_s = floats(batch, columns::HANDLE_S);
    let abandoned = flags(batch, columns::ABANDONED);
    let contact = match (&ids.contacts, batch.column_by_name(columns::PROPERTIES)) {
        (Some(contact_ids), Some(column)) => {
            let plain = arrow::compute::cast(column, &DataType::Utf8)?;
            let properties = plain.as_string::<i32>();
            (0..batch.num_rows())
                .map(|row| {
                    let is_contact = agent_names.get(row).is_some_and(Option::is_some)
                        || wait_s.get(row).is_some_and(|w| w.is_finite())
                        || handle_s.get(row).is_some_and(|h| h.is_finite())
                        || abandoned.get(row).is_some_and(Option::is_some);
                    if is_contact && properties.is_valid(row) {
                        contact_ids.contact(&ContactDetails::parse(properties.value(row)))
                    } else {
                        journey::Contact::NONE
                    }
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(OwnedFacts {
        channel: intern(optional_strings(batch, columns::CHANNEL)?, &ids.channels),
        value,
        rating: floats(batch, columns::RATING),
        rating_scale,
        sentiment: floats(batch, columns::SENTIMENT),
        text: optional_strings(batch, columns::TEXT)?,
        theme: Vec::new(),
        agent: intern(agent_names, &ids.agents),
        wait_s,
        handle_s,
        resolved: flags(batch, columns::RESOLVED),
        abandoned,
        contact,
    })
}

impl Assembler {
    fn new(
        partial: Box<dyn PartialJourneys>,
        context: Arc<JourneyContext>,
        layout: ColumnLayout,
    ) -> Assembler {
        let fact_ids = context.facts.as_ref().map(|names| FactIds {
            channels: FactNames::ids(&names.channels),
            agents: FactNames::ids(&names.agents),
            themes: !names.theme_of_text.is_empty(),
            contacts: names.contacts.as_ref().map(ContactIds::new),
        });
        Assembler {
            partial,
            context,
            layout,
            held: Held::default(),
            fact_ids,
        }
    }

    fn columns<'a>(&self, batch: &'a RecordBatch) -> Result<Columns<'a>> {
        let customer = batch
            .column(self.layout.customer)
            .as_primitive::<Int64Type>()
            .values();
        let ts_us = batch
            .column(self.layout.ts)
            .as_primitive::<TimestampMicrosecondType>()
            .values();
        let touchpoint = touchpoint_ids(
            batch.column(self.layout.touchpoint).as_ref(),
            &self.context.catalog,
        )?;
        let emotion = match self.layout.emotion {
            Some(index) => {
                let values = batch.column(index).as_primitive::<Float32Type>();
                (0..values.len())
                    .map(|i| {
                        if values.is_null(i) {
                            f32::NAN
                        } else {
                            values.value(i)
                        }
                    })
                    .collect()
            }
            None => vec![f32::NAN; batch.num_rows()],
        };
        let breakdown = match (&self.context.breakdown, self.layout.channel) {
            (BreakdownValues::Channel(ids), Some(index)) => {
                let names = string_values(batch.column(index).as_ref())?;
                names
                    .iter()
                    .map(|name| ids.get(name.as_str()).copied().unwrap_or(u32::MAX))
                    .collect()
            }
            _ => Vec::new(),
        };
        let facts = match &self.fact_ids {
            Some(ids) => {
                let mut facts = batch_facts(batch, ids)?;
                if ids.themes
                    && let Some(names) = &self.context.facts
                {
                    facts.theme = facts
                        .text
                        .iter()
                        .map(|text| {
                            text.as_ref()
                                .and_then(|t| names.theme_of_text.get(t).copied())
                                .unwrap_or(NO_NAME)
                        })
                        .collect();
                }
                facts
            }
            None => OwnedFacts::default(),
        };
        Ok(Columns {
            customer,
            ts_us,
            touchpoint,
            emotion,
            breakdown,
            facts,
        })
    }

    fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let columns = self.columns(batch)?;
        let rows = columns.customer.len();
        let mut start = 0;
        while start < rows {
            let customer = columns.customer[start];
            let mut end = start + 1;
            while end < rows && columns.customer[end] == customer {
                end += 1;
            }
            let customer = customer as u64;
            if self.held.customer.is_some_and(|held| held != customer) {
                self.release_held();
            }
            if end == rows || self.held.customer == Some(customer) {
                self.hold(customer, &columns, start..end);
                if end < rows {
                    self.release_held();
                }
            } else {
                let events = Events {
                    ts_us: &columns.ts_us[start..end],
                    touchpoint: &columns.touchpoint[start..end],
                    emotion: &columns.emotion[start..end],
                    breakdown: columns.breakdown.get(start..end).unwrap_or(&[]),
                    facts: columns.facts.slice(start..end),
                };
                self.observe(customer, events);
            }
            start = end;
        }
        Ok(())
    }

    fn hold(&mut self, customer: u64, columns: &Columns<'_>, range: std::ops::Range<usize>) {
        self.held.customer = Some(customer);
        self.held
            .ts_us
            .extend_from_slice(&columns.ts_us[range.clone()]);
        self.held
            .touchpoint
            .extend_from_slice(&columns.touchpoint[range.clone()]);
        self.held
            .emotion
            .extend_from_slice(&columns.emotion[range.clone()]);
        if let Some(breakdown) = columns.breakdown.get(range.clone()) {
            self.held.breakdown.extend_from_slice(breakdown);
        }
        self.held.facts.extend_from(&columns.facts, range);
    }

    fn release_held(&mut self) {
        if let Some(customer) = self.held.customer.take() {
            let held = std::mem::take(&mut self.held);
            let events = Events {
                ts_us: &held.ts_us,
                touchpoint: &held.touchpoint,
                emotion: &held.emotion,
                breakdown: &held.breakdown,
                facts: held.facts.as_facts(),
            };
            self.observe(customer, events);
            // Keep the allocations for the next held customer.
            self.held = Held {
                customer: None,
                ..held
            };
            self.held.ts_us.clear();
            self.held.touchpoint.clear();
            self.held.emotion.clear();
            self.held.breakdown.clear();
            self.held.facts.clear();
        }
    }

    fn observe(&mut self, customer: u64, events: Events<'_>) {
        let personas = self.context.personas.get(&customer).copied().unwrap_or(0);
        if personas & self.context.require_personas != self.context.require_personas {
            return;
        }
        let trait_breakdown;
        let breakdown = match &self.context.breakdown {
            BreakdownValues::Trait { values, missing } => {
                let id = values.get(&customer).copied().unwrap_or(*missing);
                trait_breakdown = vec![id; events.ts_us.len()];
                &trait_breakdown[..]
            }
            _ => events.breakdown,
        };
        let journey = Journey {
            customer,
            personas,
            ts_us: events.ts_us,
            touchpoint: events.touchpoint,
            emotion: events.emotion,
            breakdown,
            facts: events.facts,
        };
        self.partial.observe(&journey);
    }

    fn finish(mut self) {
        self.release_held();
        self.partial.complete();
    }
}

/// One customer's event columns, before the customer context is attached.
struct Events<'a> {
    ts_us: &'a [i64],
    touchpoint: &'a [TouchpointId],
    emotion: &'a [f32],
    breakdown: &'a [u32],
    facts: Facts<'a>,
}

/// The values of a string column (dictionary or plain) as owned strings.
fn string_values(array: &dyn Array) -> Result<Vec<String>> {
    let plain = arrow::compute::cast(array, &DataType::Utf8)?;
    Ok(plain
        .as_string::<i32>()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// Maps a touchpoint column (dictionary or plain strings) to catalog ids.
/// Names missing from the catalog are an error: the engine interns every
/// stored name before a query starts.
fn touchpoint_ids(array: &dyn Array, catalog: &Catalog) -> Result<Vec<TouchpointId>> {
    let lookup = |name: &str| {
        catalog.lookup(name).ok_or_else(|| {
            DataFusionError::Internal(format!("touchpoint {name:?} is not in the catalog"))
        })
    };
    match array.data_type() {
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_dictionary::<Int32Type>();
            let values = dictionary.values().as_string::<i32>();
            let mapped: Vec<TouchpointId> = values
                .iter()
                .map(|v| lookup(v.unwrap_or("")))
                .collect::<Result<_>>()?;
            Ok(dictionary
                .keys()
                .values()
                .iter()
                .map(|&key| mapped[key as usize])
                .collect())
        }
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|v| lookup(v.unwrap_or("")))
            .collect(),
        other => Err(DataFusionError::Internal(format!(
            "touchpoint column has type {other}"
        ))),
    }
}
