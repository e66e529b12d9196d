//! Handler tests: the real router driven with `oneshot`, backed by in-memory fakes of the ports.

mod api_keys;
mod auth;
mod connection_limits;
mod datasources;
mod fakes;
mod feedback;
mod get_question;
mod health;
mod mcp;
mod memory_entries;
mod openapi;
mod ownership;
mod submit_question;
mod test_app;
