//! What a `Ref` or `Fn::GetAtt` of a stack resource stands for before the stack exists: a
//! pattern by resource type with `*` for the physical name CloudFormation will choose.
//!
//! Invariant: a pattern only ever widens (a `*` where the name is unknown), so a policy check
//! over patterns never reports a grant the deployed stack lacks for the resource it names.

use crate::ResolveContext;

/// The value of `Ref` of a resource of `resource_type`.
pub(crate) fn ref_pattern(resource_type: &str, context: &ResolveContext) -> String {
    let ResolveContext {
        region,
        account,
        partition,
        ..
    } = context;
    match resource_type {
        "AWS::SQS::Queue" => format!("https://sqs.{region}.amazonaws.com/{account}/*"),
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
            format!("arn:{partition}:states:{region}:{account}:stateMachine:*")
        }
        "AWS::SecretsManager::Secret" => {
            format!("arn:{partition}:secretsmanager:{region}:{account}:secret:*")
        }
        "AWS::SNS::Topic" => format!("arn:{partition}:sns:{region}:{account}:*"),
        "AWS::IAM::ManagedPolicy" => format!("arn:{partition}:iam::{account}:policy/*"),
        _ => "*".to_owned(),
    }
}

/// The value of `Fn::GetAtt` of `attribute` of a resource of `resource_type`.
pub(crate) fn get_att_pattern(
    resource_type: &str,
    attribute: &str,
    context: &ResolveContext,
) -> String {
    let ResolveContext {
        region,
        account,
        partition,
        ..
    } = context;
    match (resource_type, attribute) {
        ("AWS::SQS::Queue", "Arn") => format!("arn:{partition}:sqs:{region}:{account}:*"),
        ("AWS::SQS::Queue", "QueueUrl") => ref_pattern(resource_type, context),
        ("AWS::S3::Bucket", "Arn") => format!("arn:{partition}:s3:::*"),
        ("AWS::Logs::LogGroup", "Arn") => {
            format!("arn:{partition}:logs:{region}:{account}:log-group:*")
        }
        ("AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine", "Arn") => {
            ref_pattern(resource_type, context)
        }
        ("AWS::Serverless::Function" | "AWS::Lambda::Function", "Arn") => {
            format!("arn:{partition}:lambda:{region}:{account}:function:*")
        }
        ("AWS::IAM::Role", "Arn") => format!("arn:{partition}:iam::{account}:role/*"),
        ("AWS::SNS::Topic", "TopicArn") => ref_pattern(resource_type, context),
        ("AWS::Events::Rule", "Arn") => format!("arn:{partition}:events:{region}:{account}:rule/*"),
        _ => "*".to_owned(),
    }
}
