//! The scheduled schema refresh as a Lambda function consuming the `schema_refresh` queue.

fn main() -> anyhow::Result<()> {
    lambda::run_schema_refresh_function()
}
