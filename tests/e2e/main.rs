//! Black-box tests of local mode: the real `analyst` binary is started on port 0 with a fresh
//! data directory and driven over HTTP and through its own `ask` command.
//!
//! The binary is found through `ANALYST_BIN`, else at `target/debug/analyst` of the workspace;
//! build it first with `cargo build -p local --bin analyst`.

mod analyst_server;
mod api_guards;
mod ask_command;
mod questions;
