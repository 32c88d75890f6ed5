//! DataFusion integration: the events table as a customer-clustered table
//! provider, the journey operator that feeds kernels whole journeys, and SQL
//! over the events. The engine opens a store at one version and answers
//! queries over it.

pub mod agents;
pub mod contacts;
pub mod findings;
pub mod insights;
mod journey_exec;
pub mod query;
pub mod returning;
mod scan;

pub use journey_exec::{
    BreakdownValues, Collector, ContactDetails, ContactNames, FactNames, JourneyContext,
    JourneyExec, JourneySink, PartialJourneys, contact_keys,
};
pub use scan::{BucketScanExec, EventsProvider, table_schema};

use arrow::array::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::execution::config::SessionConfig;
use datafusion::logical_expr::{Expr, col, lit};
use datafusion::physical_plan::{ExecutionPlan, displayable};
use datafusion::prelude::SessionContext;
use journey::Accumulator;
use model::{Catalog, JourneyDefinition, Traits, columns};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use store::Store;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("query: {0}")]
    Query(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Invalid(String),
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// What was asked for does not exist (no agent events, unknown agent).
    #[error("{0}")]
    NotFound(String),
}

/// Which events and customers an analysis sees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Inclusive lower bound on `ts`, µs since the epoch.
    pub from_us: Option<i64>,
    /// Exclusive upper bound on `ts`.
    pub to_us: Option<i64>,
    /// Only events on these channels; empty means all.
    pub channels: Vec<String>,
    /// Only customers of this persona (a name from the journey definition).
    pub persona: Option<String>,
}

/// What a breakdown splits journeys by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakdownBy {
    /// The channel of each event.
    Channel,
    /// A customer trait (the same value for all of a customer's events).
    Trait(String),
}

/// The value names of a breakdown and how events map onto them.
#[derive(Debug)]
pub struct Breakdown {
    pub names: Vec<String>,
    values: BreakdownValues,
}

/// Most personas [`Engine::use_trait_personas`] makes of one trait's values
/// (persona masks are 64 bits).
pub const MAX_TRAIT_PERSONAS: usize = 32;

/// Name of the breakdown value of customers without the trait.
pub const MISSING_TRAIT: &str = "(missing)";

pub struct Engine {
    store: Store,
    definition: JourneyDefinition,
    catalog: Arc<Catalog>,
    traits: HashMap<u64, Traits>,
    personas: HashMap<u64, u64>,
    session: SessionContext,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .finish()
    }
}

fn timestamp(us: i64) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}

impl Engine {
    /// Opens the data directory and registers the `events` table (and a
    /// `traits` view of customer traits) for SQL.
    pub async fn open(dir: &Path) -> Result<Engine, EngineError> {
        let store = Store::open(dir).await?;
        let definition = store.definition()?;
        let mut catalog = Catalog::new(&definition);
        for (touchpoint, channel) in &store.names().touchpoints {
            catalog.intern(touchpoint, channel);
        }
        let traits = store.traits()?;
        let personas = traits
            .iter()
            .map(|(customer, traits)| (*customer, definition.persona_mask(traits)))
            .filter(|(_, mask)| *mask != 0)
            .collect();
        let mut buckets = vec![Vec::new(); store.buckets() as usize];
        for file in store.files()? {
            buckets[file.bucket as usize].push(file.path);
        }
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let config = SessionConfig::new()
            .with_target_partitions(threads)
            .with_round_robin_repartition(false)
            .with_prefer_existing_sort(true)
            .with_information_schema(true);
        let session = SessionContext::new_with_config(config);
        session.register_table("events", Arc::new(EventsProvider::new(buckets)))?;
        Ok(Engine {
            store,
            definition,
            catalog: Arc::new(catalog),
            traits,
            personas,
            session,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn definition(&self) -> &JourneyDefinition {
        &self.definition
    }

    /// Replaces the personas of `journey.toml` with one persona per value of
    /// the customer trait `name`, called `name=value`, so that every
    /// per-persona analysis compares the trait's values. At most
    /// [`MAX_TRAIT_PERSONAS`] values are kept, the most common first (ties
    /// by value); customers with another value, or without the trait, belong
    /// to no persona. Returns the values that were left out.
    pub fn use_trait_personas(&mut self, name: &str) -> Result<usize, EngineError> {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for traits in self.traits.values() {
            if let Some(value) = traits.get(name) {
                *counts.entry(value.as_str()).or_default() += 1;
            }
        }
        if counts.is_empty() {
            let mut known: Vec<&str> = self
                .traits
                .values()
                .flat_map(|t| t.keys().map(String::as_str))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            known.truncate(20);
            return Err(EngineError::Invalid(format!(
                "no customer has the trait {name:?}; known traits: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        let mut values: Vec<(&str, u64)> = counts.into_iter().collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let left_out = values.len().saturating_sub(MAX_TRAIT_PERSONAS);
        values.truncate(MAX_TRAIT_PERSONAS);
        self.definition.personas = values
            .iter()
            .map(|(value, _)| model::Persona {
                name: format!("{name}={value}"),
                description: format!("customers whose {name} is {value}"),
                when: vec![model::Condition {
                    trait_name: name.to_string(),
                    eq: Some((*value).to_string()),
                    ..model::Condition::default()
                }],
            })
            .collect();
        let definition = &self.definition;
        self.personas = self
            .traits
            .iter()
            .map(|(customer, traits)| (*customer, definition.persona_mask(traits)))
            .filter(|(_, mask)| *mask != 0)
            .collect();
        Ok(left_out)
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn traits(&self) -> &HashMap<u64, Traits> {
        &self.traits
    }

    pub fn session(&self) -> &SessionContext {
        &self.session
    }

    /// Runs a SQL query over `events` and returns its result batches.
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>, EngineError> {
        let frame = self.session.sql(query).await?;
        Ok(frame.collect().await?)
    }

    /// Runs one read-only SQL statement (a query; no DDL, DML or `SET`).
    pub async fn sql_read_only(&self, query: &str) -> Result<Vec<RecordBatch>, EngineError> {
        let options = datafusion::execution::context::SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let frame = self.session.sql_with_options(query, options).await?;
        Ok(frame.collect().await?)
    }

    fn filter_expr(&self, filter: &EventFilter) -> Option<Expr> {
        let mut conditions = Vec::new();
        if let Some(from) = filter.from_us {
            conditions.push(col(columns::TS).gt_eq(timestamp(from)));
        }
        if let Some(to) = filter.to_us {
            conditions.push(col(columns::TS).lt(timestamp(to)));
        }
        if !filter.channels.is_empty() {
            let list = filter.channels.iter().map(|c| lit(c.as_str())).collect();
            conditions.push(col(columns::CHANNEL).in_list(list, false));
        }
        conditions.into_iter().reduce(Expr::and)
    }

    /// The value names of a breakdown, in id order.
    pub fn breakdown(&self, by: &BreakdownBy) -> Result<Breakdown, EngineError> {
        match by {
            BreakdownBy::Channel => {
                let names: Vec<String> = self.store.names().channels.keys().cloned().collect();
                let ids = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), i as u32))
                    .collect();
                Ok(Breakdown {
                    names,
                    values: BreakdownValues::Channel(ids),
                })
            }
            BreakdownBy::Trait(name) => {
                let mut names: Vec<String> = self
                    .traits
                    .values()
                    .filter_map(|t| t.get(name).cloned())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if names.is_empty() {
                    return Err(EngineError::Invalid(format!(
                        "no customer has the trait {name:?}"
                    )));
                }
                let ids: HashMap<&str, u32> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), i as u32))
                    .collect();
                let values = self
                    .traits
                    .iter()
                    .filter_map(|(customer, traits)| {
                        Some((*customer, ids[traits.get(name)?.as_str()]))
                    })
                    .collect();
                let missing = names.len() as u32;
                names.push(MISSING_TRAIT.to_string());
                Ok(Breakdown {
                    names,
                    values: BreakdownValues::Trait { values, missing },
                })
            }
        }
    }

    /// The physical plan of a journey analysis, optimised: the journey
    /// operator over the (filtered) bucket scan.
    pub async fn journey_plan(
        &self,
        filter: &EventFilter,
        breakdown: Option<Breakdown>,
        sink: Arc<dyn JourneySink>,
    ) -> Result<Arc<dyn ExecutionPlan>, EngineError> {
        self.journey_plan_with(filter, breakdown, None, sink).await
    }

    /// The names behind the interned fact columns (channels, agents).
    pub async fn fact_names(&self) -> Result<FactNames, EngineError> {
        let channels = self.store.names().channels.keys().cloned().collect();
        let mut agents = Vec::new();
        for batch in self
            .sql("SELECT DISTINCT agent FROM events WHERE agent IS NOT NULL ORDER BY agent")
            .await?
        {
            let column = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
            let column = arrow::array::AsArray::as_string::<i32>(&column);
            agents.extend(column.iter().flatten().map(str::to_string));
        }
        Ok(FactNames {
            channels,
            agents,
            contacts: Some(self.contact_names().await?),
            ..FactNames::default()
        })
    }

    /// The queues, teams, skills and issues named in the `properties` of
    /// the stored contact events, each list sorted.
    pub async fn contact_names(&self) -> Result<ContactNames, EngineError> {
        let mut queues = std::collections::BTreeSet::new();
        let mut teams = std::collections::BTreeSet::new();
        let mut skills = std::collections::BTreeSet::new();
        let mut issues = std::collections::BTreeSet::new();
        let batches = self
            .sql(
                "SELECT properties FROM events WHERE properties IS NOT NULL AND \
                 (agent IS NOT NULL OR wait_s IS NOT NULL OR handle_s IS NOT NULL \
                 OR abandoned IS NOT NULL)",
            )
            .await?;
        for batch in batches {
            let column = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
            let column = arrow::array::AsArray::as_string::<i32>(&column);
            for properties in column.iter().flatten() {
                let details = ContactDetails::parse(properties);
                queues.extend(details.queue);
                teams.extend(details.team);
                skills.extend(details.skill);
                issues.extend(details.issue);
            }
        }
        Ok(ContactNames {
            queues: queues.into_iter().collect(),
            teams: teams.into_iter().collect(),
            skills: skills.into_iter().collect(),
            issues: issues.into_iter().collect(),
        })
    }

    /// [`Engine::fact_names`] plus the themes of the stored texts (each
    /// distinct text gets the first theme that holds it).
    pub async fn fact_names_with_themes(&self) -> Result<FactNames, EngineError> {
        let mut names = self.fact_names().await?;
        let mut texts = Vec::new();
        for batch in self
            .sql("SELECT DISTINCT text FROM events WHERE text IS NOT NULL ORDER BY text")
            .await?
        {
            let column = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
            let column = arrow::array::AsArray::as_string::<i32>(&column);
            texts.extend(column.iter().flatten().map(str::to_string));
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let themes = text::themes(&refs, &text::ThemeOptions::default());
        for (id, theme) in themes.iter().enumerate() {
            for &index in &theme.text_indices {
                names
                    .theme_of_text
                    .entry(texts[index].clone())
                    .or_insert(id as u32);
            }
        }
        names.themes = themes.into_iter().map(|t| t.label).collect();
        Ok(names)
    }

    async fn journey_plan_with(
        &self,
        filter: &EventFilter,
        breakdown: Option<Breakdown>,
        facts: Option<FactNames>,
        sink: Arc<dyn JourneySink>,
    ) -> Result<Arc<dyn ExecutionPlan>, EngineError> {
        let require_personas = match &filter.persona {
            None => 0,
            Some(name) => {
                let index = self.definition.persona_index(name).ok_or_else(|| {
                    EngineError::Invalid(format!("no persona named {name:?} in journey.toml"))
                })?;
                1u64 << index
            }
        };
        let mut frame = self.session.table("events").await?;
        if let Some(condition) = self.filter_expr(filter) {
            frame = frame.filter(condition)?;
        }
        let breakdown = breakdown.map_or(BreakdownValues::None, |b| b.values);
        let mut wanted = vec![
            columns::CUSTOMER,
            columns::TS,
            columns::TOUCHPOINT,
            columns::EMOTION,
        ];
        if matches!(breakdown, BreakdownValues::Channel(_)) || facts.is_some() {
            wanted.push(columns::CHANNEL);
        }
        if facts.as_ref().is_some_and(|f| f.contacts.is_some()) {
            wanted.push(columns::PROPERTIES);
        }
        if facts.is_some() {
            wanted.extend([
                columns::VALUE,
                columns::RATING,
                columns::RATING_SCALE,
                columns::SENTIMENT,
                columns::TEXT,
                columns::AGENT,
                columns::WAIT_S,
                columns::HANDLE_S,
                columns::RESOLVED,
                columns::ABANDONED,
            ]);
        }
        let frame = frame.select_columns(&wanted)?;
        let input = frame.create_physical_plan().await?;
        let context = Arc::new(JourneyContext {
            catalog: self.catalog.clone(),
            personas: self.personas.clone(),
            require_personas,
            breakdown,
            facts,
        });
        let mut plan: Arc<dyn ExecutionPlan> = Arc::new(JourneyExec::new(input, sink, context));
        let state = self.session.state();
        for rule in state.physical_optimizers() {
            plan = rule.optimize(plan, state.config_options())?;
        }
        Ok(plan)
    }

    /// The indented physical plan of a journey analysis, for EXPLAIN.
    pub async fn explain_journey(&self, filter: &EventFilter) -> Result<String, EngineError> {
        let sink = Collector::new("explain", || NoKernel);
        let plan = self.journey_plan(filter, None, sink).await?;
        Ok(displayable(plan.as_ref()).indent(true).to_string())
    }

    /// Runs an accumulator over every journey that passes the filter and
    /// returns the merged accumulator (not yet finished).
    pub async fn run<A, F>(
        &self,
        name: &str,
        filter: &EventFilter,
        factory: F,
    ) -> Result<A, EngineError>
    where
        A: Accumulator + 'static,
        F: Fn() -> A + Send + Sync + 'static,
    {
        self.run_with_breakdown(name, filter, None, factory).await
    }

    /// [`Engine::run`] with each journey's `breakdown` filled from `breakdown`.
    pub async fn run_with_breakdown<A, F>(
        &self,
        name: &str,
        filter: &EventFilter,
        breakdown: Option<Breakdown>,
        factory: F,
    ) -> Result<A, EngineError>
    where
        A: Accumulator + 'static,
        F: Fn() -> A + Send + Sync + 'static,
    {
        self.run_full(name, filter, breakdown, None, factory).await
    }

    /// [`Engine::run`] with journeys that carry their per-event facts
    /// (value, rating, text, agent, …; see `journey::Facts`). Returns the
    /// accumulator and the names of the interned fact columns.
    pub async fn run_with_facts<A, F>(
        &self,
        name: &str,
        filter: &EventFilter,
        factory: F,
    ) -> Result<(A, FactNames), EngineError>
    where
        A: Accumulator + 'static,
        F: Fn() -> A + Send + Sync + 'static,
    {
        let names = self.fact_names().await?;
        let accumulator = self
            .run_full(name, filter, None, Some(names.clone()), factory)
            .await?;
        Ok((accumulator, names))
    }

    /// Runs an accumulator over journeys that carry facts named by `names`.
    pub async fn run_with_names<A, F>(
        &self,
        name: &str,
        filter: &EventFilter,
        names: FactNames,
        factory: F,
    ) -> Result<A, EngineError>
    where
        A: Accumulator + 'static,
        F: Fn() -> A + Send + Sync + 'static,
    {
        self.run_full(name, filter, None, Some(names), factory)
            .await
    }

    async fn run_full<A, F>(
        &self,
        name: &str,
        filter: &EventFilter,
        breakdown: Option<Breakdown>,
        names: Option<FactNames>,
        factory: F,
    ) -> Result<A, EngineError>
    where
        A: Accumulator + 'static,
        F: Fn() -> A + Send + Sync + 'static,
    {
        let collector = Collector::new(name, factory);
        let plan = self
            .journey_plan_with(filter, breakdown, names, collector.clone())
            .await?;
        datafusion::physical_plan::collect(plan, self.session.task_ctx()).await?;
        Ok(collector.take())
    }
}

/// An accumulator that observes nothing, for showing plans.
struct NoKernel;

impl Accumulator for NoKernel {
    type Output = ();
    fn observe(&mut self, _journey: &journey::Journey<'_>) {}
    fn merge(&mut self, _other: Self) {}
    fn finish(self) {}
}
