//! Drives every branch of `statemachines/question.asl.json` through the local pipeline.

mod branches;
mod definition_parity;
mod ended_executions;
mod interrupted_jobs;
mod schema_refresh;
mod scripted;
