//! The roles of the repository's `infra/template.yaml`, resolved: what they allow and refuse.

use std::collections::BTreeMap;

use infra_template::{ResolveContext, Template};

fn context() -> ResolveContext {
    ResolveContext {
        region: "us-east-1".to_owned(),
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        parameter_overrides: BTreeMap::new(),
    }
}

#[test]
fn classify_may_report_its_tasks_and_call_the_language_model_but_not_the_embedder() {
    let template = Template::load_repo().unwrap();
    let role = template
        .function_role("ClassifyFunction", &context())
        .unwrap();

    assert!(
        role.allowing(
            "states:SendTaskSuccess",
            "arn:aws:states:us-east-1:123456789012:stateMachine:(unnamed)"
        )
        .is_some()
    );
    assert!(
        role.allowing(
            "sqs:ReceiveMessage",
            "arn:aws:sqs:us-east-1:123456789012:analyst-classify"
        )
        .is_some()
    );
    assert!(
        role.allowing(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
        )
        .is_some(),
        "the default model id is an inference profile"
    );
    assert!(
        role.allowing(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
        )
        .is_some(),
        "the profile's destination regions"
    );
    assert!(
        role.allowing(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
        )
        .is_none(),
        "classify never embeds"
    );
    assert!(
        role.allowing(
            "logs:CreateLogGroup",
            "arn:aws:logs:us-east-1:123456789012:log-group:other"
        )
        .is_none()
    );
}

#[test]
fn parameters_resolve_to_their_defaults_or_overrides_inside_sub() {
    let template = Template::load_repo().unwrap();
    let database = "arn:aws:glue:us-east-1:123456789012:database/analyst_shop";
    let default_prefix = template
        .function_role("ExecuteFunction", &context())
        .unwrap();
    let mut overridden = context();
    overridden
        .parameter_overrides
        .insert("GlueDatabasePrefix".to_owned(), "team_".to_owned());
    let other_prefix = template
        .function_role("ExecuteFunction", &overridden)
        .unwrap();

    assert!(
        default_prefix
            .allowing(
                "glue:GetTable",
                "arn:aws:glue:us-east-1:123456789012:table/analyst_shop/orders"
            )
            .is_some()
    );
    assert!(
        default_prefix
            .allowing("glue:GetDatabase", database)
            .is_some()
    );
    assert!(
        other_prefix
            .allowing("glue:GetDatabase", database)
            .is_none()
    );
    assert!(
        default_prefix
            .allowing(
                "glue:GetTable",
                "arn:aws:glue:us-east-1:123456789012:table/private/payroll"
            )
            .is_none()
    );
}
