//! The IAM audit over a real run: the API and one worker per question stage, with the Bedrock
//! embedder (a loopback stand-in) and moto's executing Step Functions, each record every AWS
//! call they make from start-up on; every call must be allowed by the role of the function the
//! process stands for in `infra/template.yaml`.
//!
//! Invariant: this test has a moto server of its own (one execution per moto process).

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{
    AwsProcess, Moto, create_stage_queues, platform_args, queue_prefix, spawn_aws_process_with_env,
    spawn_workers_with_env,
};
use crate::aws_step_functions::{answer_through_step_functions, create_question_state_machine};
use crate::iam_audit::{AuditedProcess, audit};
use crate::postgres_datasource::ScratchDatabase;
use crate::scripted_bedrock::ScriptedBedrock;

/// The template function each question stage runs as on Lambda.
const STAGE_FUNCTIONS: [(&str, &str); 6] = [
    ("classify", "ClassifyFunction"),
    ("cache_lookup", "CacheLookupFunction"),
    ("generate_sql", "GenerateSqlFunction"),
    ("execute", "ExecuteFunction"),
    ("explain", "ExplainFunction"),
    ("record_failure", "RecordFailureFunction"),
];

#[tokio::test]
async fn every_aws_call_of_a_question_run_is_allowed_by_its_functions_role() {
    let moto = Moto::start().await;
    moto.execute_state_machines().await;
    let bedrock = ScriptedBedrock::start().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let logs = TempDataDir::new();
    let prefix = queue_prefix();
    let stage_queues = create_stage_queues(&moto, &prefix).await;
    let state_machine_arn = create_question_state_machine(&moto, &prefix, &stage_queues).await;
    let environment = |function: &str| {
        vec![
            (
                aws_call_log::CALL_LOG_ENV.to_owned(),
                logs.path
                    .join(format!("{function}.jsonl"))
                    .display()
                    .to_string(),
            ),
            ("ANALYST_EMBEDDER".to_owned(), "bedrock".to_owned()),
            (
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".to_owned(),
                bedrock.url.clone(),
            ),
        ]
    };

    let mut api_args = platform_args(&moto, &data_dir.path, &database.url);
    api_args.extend(
        [
            "--addr",
            "127.0.0.1:0",
            "--launcher",
            "step-functions",
            "--state-machine-arn",
            &state_machine_arn,
        ]
        .map(str::to_owned),
    );
    let api = spawn_aws_process_with_env(
        "analyst-aws-api",
        &api_args,
        &environment("ApiFunction"),
        "listening on ",
    )
    .await;
    let processes = spawn_workers_with_env(
        &moto,
        &data_dir.path,
        &database.url,
        &stage_queues,
        |stage| environment(function_of(stage)),
    )
    .await;
    let base_url = printed_after(&api, "listening on ");
    let admin_key = printed_after(&api, "admin api key: ");

    answer_through_step_functions(&moto, &state_machine_arn, &base_url, &admin_key).await;
    drop(processes);
    drop(api);

    let mut audited = vec![AuditedProcess {
        function: "ApiFunction",
        log: logs.path.join("ApiFunction.jsonl"),
    }];
    audited.extend(STAGE_FUNCTIONS.iter().map(|(_, function)| AuditedProcess {
        function,
        log: logs.path.join(format!("{function}.jsonl")),
    }));
    for process in &audited {
        let calls = aws_call_log::read_call_log(&process.log).unwrap();
        assert!(
            !calls.is_empty(),
            "{} recorded no AWS call at all; the recorder is not installed",
            process.function
        );
    }
    let report = audit(&audited);
    eprintln!(
        "IAM audit: {} calls checked:\n  {}\nstatements no call used:\n  {}",
        report.calls,
        report.actions.join("\n  "),
        report.unused.join("\n  ")
    );
    assert!(
        report.denied.is_empty(),
        "calls the function's role does not allow:\n  {}",
        report.denied.join("\n  ")
    );
}

fn function_of(stage: &str) -> &'static str {
    STAGE_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == stage)
        .map(|(_, function)| *function)
        .unwrap_or_else(|| panic!("no template function for stage {stage}"))
}

fn printed_after(process: &AwsProcess, prefix: &str) -> String {
    process
        .printed
        .iter()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}: {:?}", process.printed))
        .trim()
        .to_owned()
}
