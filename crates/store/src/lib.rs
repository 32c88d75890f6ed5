//! Durability: events in a Delta Lake table of customer-clustered Parquet files.
