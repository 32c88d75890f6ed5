//! The events table as DataFusion sees it: one partition per bucket, each
//! yielding whole customers in (customer, ts, event_id) order, declared as
//! hash-partitioned on `customer` and sorted, so that journey operators need
//! neither a repartition nor a sort at query time.

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{
    EquivalenceProperties, LexOrdering, PhysicalExpr, PhysicalSortExpr,
};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use model::columns;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use std::path::PathBuf;
use std::sync::Arc;

/// Rows per batch handed to operators.
const BATCH_ROWS: usize = 64 * 1024;

/// The schema the engine exposes: the stored schema with touchpoint and
/// channel read as dictionaries (few distinct values, compared as integers).
pub fn table_schema() -> SchemaRef {
    let stored = model::event_schema();
    let fields: Vec<Field> = stored
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            columns::TOUCHPOINT | columns::CHANNEL => Field::new(
                field.name(),
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                field.is_nullable(),
            ),
            _ => field.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The events table: the files of each bucket as of one store version.
#[derive(Debug)]
pub struct EventsProvider {
    buckets: Arc<Vec<Vec<PathBuf>>>,
    schema: SchemaRef,
}

impl EventsProvider {
    /// `buckets[i]` lists the files of bucket `i` (possibly none).
    pub fn new(buckets: Vec<Vec<PathBuf>>) -> EventsProvider {
        EventsProvider {
            buckets: Arc::new(buckets),
            schema: table_schema(),
        }
    }
}

#[async_trait::async_trait]
impl TableProvider for EventsProvider {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let projection = projection
            .cloned()
            .unwrap_or_else(|| (0..self.schema.fields().len()).collect());
        Ok(Arc::new(BucketScanExec::new(
            self.buckets.clone(),
            projection,
        )?))
    }
}

/// Reads one bucket per partition, in journey order.
#[derive(Debug)]
pub struct BucketScanExec {
    buckets: Arc<Vec<Vec<PathBuf>>>,
    projection: Vec<usize>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl BucketScanExec {
    pub fn new(buckets: Arc<Vec<Vec<PathBuf>>>, projection: Vec<usize>) -> Result<BucketScanExec> {
        let full = table_schema();
        let schema = Arc::new(full.project(&projection)?);
        let properties = Arc::new(plan_properties(&schema, buckets.len().max(1)));
        Ok(BucketScanExec {
            buckets,
            projection,
            schema,
            properties,
        })
    }
}

fn column(schema: &SchemaRef, name: &str) -> Option<Arc<dyn PhysicalExpr>> {
    let index = schema.index_of(name).ok()?;
    Some(Arc::new(Column::new(name, index)))
}

/// Hash-partitioned on customer and sorted by (customer, ts, event_id) as
/// far as those columns are projected: an ordering may only name columns
/// that exist in the output, and it stops at the first missing one.
fn plan_properties(schema: &SchemaRef, partitions: usize) -> PlanProperties {
    let mut ordering = Vec::new();
    for name in [columns::CUSTOMER, columns::TS, columns::EVENT_ID] {
        match column(schema, name) {
            Some(expr) => ordering.push(PhysicalSortExpr::new_default(expr)),
            None => break,
        }
    }
    let orderings: Vec<LexOrdering> = LexOrdering::new(ordering).into_iter().collect();
    let equivalence = EquivalenceProperties::new_with_orderings(schema.clone(), orderings);
    let partitioning = match column(schema, columns::CUSTOMER) {
        Some(customer) => Partitioning::Hash(vec![customer], partitions),
        None => Partitioning::UnknownPartitioning(partitions),
    };
    PlanProperties::new(
        equivalence,
        partitioning,
        EmissionType::Incremental,
        Boundedness::Bounded,
    )
}

impl DisplayAs for BucketScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let files: usize = self.buckets.iter().map(Vec::len).sum();
        let names: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        write!(
            f,
            "BucketScanExec: buckets={}, files={files}, projection=[{}]",
            self.buckets.len(),
            names.join(", ")
        )
    }
}

impl ExecutionPlan for BucketScanExec {
    fn name(&self) -> &str {
        "BucketScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let files = self.buckets.get(partition).cloned().unwrap_or_default();
        let projection = self.projection.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<RecordBatch>>(2);
        tokio::task::spawn_blocking(move || {
            let result = read_bucket(&files, &projection, &sender);
            if let Err(error) = result {
                // The receiver may be gone when the query was cancelled.
                let _ = sender.blocking_send(Err(error));
            }
        });
        let stream = futures::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|item| (item, receiver))
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            stream,
        )))
    }
}

type Sender = tokio::sync::mpsc::Sender<Result<RecordBatch>>;

fn open_reader(
    path: &std::path::Path,
    projection: &[usize],
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader> {
    let file = std::fs::File::open(path)
        .map_err(|e| DataFusionError::External(format!("{}: {e}", path.display()).into()))?;
    let options = ArrowReaderOptions::new().with_schema(table_schema());
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), projection.iter().copied());
    Ok(builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()?)
}

/// Streams a bucket: a single file as it is (it is sorted), several files
/// merged into journey order.
fn read_bucket(files: &[PathBuf], projection: &[usize], sender: &Sender) -> Result<()> {
    match files {
        [] => Ok(()),
        [file] => {
            for batch in open_reader(file, projection)? {
                if sender.blocking_send(Ok(batch?)).is_err() {
                    break;
                }
            }
            Ok(())
        }
        several => {
            for batch in merge_bucket(several, projection)? {
                if sender.blocking_send(Ok(batch)).is_err() {
                    break;
                }
            }
            Ok(())
        }
    }
}

/// Reads every file of a bucket with the sort columns added, sorts the rows
/// into journey order and drops the columns that were only needed to sort.
fn merge_bucket(files: &[PathBuf], projection: &[usize]) -> Result<Vec<RecordBatch>> {
    let full = table_schema();
    let mut wanted: Vec<usize> = projection.to_vec();
    for name in [columns::CUSTOMER, columns::TS, columns::EVENT_ID] {
        let index = full.index_of(name)?;
        if !wanted.contains(&index) {
            wanted.push(index);
        }
    }
    wanted.sort_unstable();
    let mut batches = Vec::new();
    for file in files {
        for batch in open_reader(file, &wanted)? {
            batches.push(batch?);
        }
    }
    let read_schema = Arc::new(full.project(&wanted)?);
    let combined = arrow::compute::concat_batches(&read_schema, &batches)?;
    let sorted =
        store::sort_by_journey(&combined).map_err(|e| DataFusionError::External(Box::new(e)))?;
    let keep: Vec<usize> = projection
        .iter()
        .map(|index| {
            wanted
                .iter()
                .position(|w| w == index)
                .expect("projection is part of what was read")
        })
        .collect();
    let projected = sorted.project(&keep)?;
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < projected.num_rows() {
        let length = BATCH_ROWS.min(projected.num_rows() - offset);
        out.push(projected.slice(offset, length));
        offset += length;
    }
    Ok(out)
}
