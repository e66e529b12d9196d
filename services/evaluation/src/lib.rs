//! Execution-accuracy evaluation in the manner of defog's sql-eval: reading a question file,
//! running its gold queries, deciding whether a generated result matches any gold result, and
//! summarising a run per category, per stage and in tokens.
//!
//! Invariant: the only outside effect is running gold queries on a datasource's engine, and
//! only through `sql_guard::run_guarded`; everything else is pure (the question file is read
//! from the reader it is handed).

pub mod eval_report;
pub mod gold_judging;
pub mod job_metrics;
pub mod question_file;
pub mod question_outcome;
pub mod result_match;
pub mod row_order;
pub mod summary_table;
pub mod value_key;
