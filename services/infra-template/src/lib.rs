//! The CloudFormation (SAM) template of AWS mode, `infra/template.yaml`, read as data: its
//! resources with every short-form intrinsic in long form, intrinsics evaluated against a
//! [`ResolveContext`], and the IAM policy each function runs under ([`RolePolicy`]), so tests
//! can check the template against what the code calls before anything is deployed.
//!
//! Invariant: never deploys, calls AWS or guesses; what cannot be evaluated exactly is a
//! [`TemplateError`], and the physical names CloudFormation will choose are `*` patterns.

mod error;
mod iam;
mod intrinsics;
mod managed_policies;
mod parse;
mod resource_arns;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

pub use error::TemplateError;
pub use iam::{RolePolicy, Statement, glob_match};
pub use intrinsics::referenced_logical_id;

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    /// The whole template, short-form tags rewritten to long form.
    root: Value,
}

/// What intrinsics resolve against: the pseudo parameters and parameter overrides of one
/// imagined deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveContext {
    /// `AWS::Region`, e.g. `eu-west-1`.
    pub region: String,
    /// `AWS::AccountId`, twelve digits.
    pub account: String,
    /// `AWS::Partition`, e.g. `aws`.
    pub partition: String,
    /// Parameter values instead of their `Default`. `AWS::StackName`, `AWS::StackId` and
    /// `AWS::URLSuffix` may be given here too; the stack name is `*` otherwise.
    pub parameter_overrides: BTreeMap<String, String>,
}

impl ResolveContext {
    /// A context in the `aws` partition without overrides.
    pub fn new(region: &str, account: &str) -> ResolveContext {
        ResolveContext {
            region: region.to_owned(),
            account: account.to_owned(),
            partition: "aws".to_owned(),
            parameter_overrides: BTreeMap::new(),
        }
    }
}

impl Template {
    /// `infra/template.yaml` of this repository (path from `CARGO_MANIFEST_DIR`).
    pub fn load_repo() -> Result<Template, TemplateError> {
        Template::load(&repo_path("infra/template.yaml"))
    }

    /// The template file at `path`.
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        let yaml = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.to_owned(),
            source,
        })?;
        Template::parse(&yaml)
    }

    /// Template text, YAML or JSON.
    pub fn parse(yaml: &str) -> Result<Template, TemplateError> {
        Ok(Template {
            root: parse::parse_template(yaml)?,
        })
    }

    /// Logical ids of all `AWS::Serverless::Function` resources, in template order.
    pub fn function_logical_ids(&self) -> Vec<String> {
        self.logical_ids_of_type("AWS::Serverless::Function")
    }

    /// Logical ids of all resources of `resource_type`, in template order.
    pub fn logical_ids_of_type(&self, resource_type: &str) -> Vec<String> {
        self.resources()
            .filter(|(_, resource)| {
                resource.get("Type").and_then(Value::as_str) == Some(resource_type)
            })
            .map(|(logical_id, _)| logical_id.to_owned())
            .collect()
    }

    /// The resource (`Type`, `Properties`, ...) in long form, unresolved.
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.root["Resources"].get(logical_id)
    }

    /// The `Type` of a resource.
    pub fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resource(logical_id)?.get("Type")?.as_str()
    }

    /// A property of a resource, unresolved; for a function, `Globals.Function` supplies the
    /// properties the function leaves out (as SAM does for scalars).
    pub fn function_property(&self, logical_id: &str, property: &str) -> Option<&Value> {
        let own = self
            .resource(logical_id)?
            .get("Properties")
            .and_then(|p| p.get(property));
        if own.is_some() || self.resource_type(logical_id) != Some("AWS::Serverless::Function") {
            return own;
        }
        self.root.get("Globals")?.get("Function")?.get(property)
    }

    /// A `Parameters` entry, unresolved.
    pub fn parameter(&self, name: &str) -> Option<&Value> {
        self.root.get("Parameters")?.get(name)
    }

    /// `value` (a part of this template) with its intrinsics evaluated; `None` for
    /// `AWS::NoValue`.
    pub fn resolve(
        &self,
        value: &Value,
        context: &ResolveContext,
    ) -> Result<Option<Value>, TemplateError> {
        intrinsics::Resolver {
            root: &self.root,
            context,
        }
        .resolve(value)
    }

    /// Whether the named condition of `Conditions` holds under `context`.
    pub fn condition(&self, name: &str, context: &ResolveContext) -> Result<bool, TemplateError> {
        intrinsics::Resolver {
            root: &self.root,
            context,
        }
        .condition(name)
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.root["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(key, resource)| Some((key.as_str()?, resource)))
    }
}

/// A path of this repository, from `CARGO_MANIFEST_DIR` (`statemachines/question.asl.json`).
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ResolveContext {
        ResolveContext::new("eu-west-1", "123456789012")
    }

    const STATE_MACHINE_ARN: &str =
        "arn:aws:states:eu-west-1:123456789012:stateMachine:QuestionStateMachine-AbC123";

    /// The Classify role and function as `infra/template.yaml` had them when this crate was
    /// written: the LLM model only, no embedder.
    const CLASSIFY_PIECE: &str = r#"
Parameters:
  LlmModelId:
    Type: String
    Default: anthropic.claude-3-5-haiku-20241022-v1:0
  EmbedderModelId:
    Type: String
    Default: amazon.titan-embed-text-v2:0
Resources:
  ClassifyQueue:
    Type: AWS::SQS::Queue
  QuestionStateMachine:
    Type: AWS::Serverless::StateMachine
  ClassifyLogGroup:
    Type: AWS::Logs::LogGroup
  ClassifyFunctionRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
      Policies:
        - PolicyName: consume-own-queue
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility, sqs:GetQueueAttributes]
                Resource: !GetAtt ClassifyQueue.Arn
              - Effect: Allow
                Action: [states:SendTaskSuccess, states:SendTaskFailure, states:SendTaskHeartbeat]
                Resource: !Ref QuestionStateMachine
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt ClassifyLogGroup.Arn
              - Effect: Allow
                Action: [bedrock:InvokeModel, bedrock:Converse]
                Resource:
                  - !Sub "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${LlmModelId}"
  ClassifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt ClassifyFunctionRole.Arn
"#;

    #[test]
    fn the_repository_template_loads_and_lists_its_functions() {
        let template = Template::load_repo().unwrap();

        let functions = template.function_logical_ids();

        assert!(
            functions.contains(&"ClassifyFunction".to_owned()),
            "{functions:?}"
        );
        assert!(
            functions.contains(&"IngestFunction".to_owned()),
            "{functions:?}"
        );
        assert_eq!(
            template.resource_type("ClassifyQueue"),
            Some("AWS::SQS::Queue")
        );
    }

    #[test]
    fn every_function_of_the_repository_template_has_a_resolvable_role() {
        let template = Template::load_repo().unwrap();

        let functions = template.function_logical_ids();
        assert!(functions.len() >= 11, "{functions:?}");
        for function in functions {
            let role = template.function_role(&function, &context());

            assert!(role.is_ok(), "{function}: {role:?}");
            let role = role.unwrap();
            assert!(!role.statements.is_empty(), "{function}");
            for statement in &role.statements {
                for resource in &statement.resources {
                    assert!(!resource.contains("${"), "{}: {resource}", statement.label);
                }
            }
        }
    }

    #[test]
    fn classify_may_report_to_the_question_state_machine() {
        let template = Template::load_repo().unwrap();
        let role = template
            .function_role("ClassifyFunction", &context())
            .unwrap();

        let statement = role.allowing("states:SendTaskSuccess", STATE_MACHINE_ARN);

        let label = statement.map(|s| s.label.as_str()).unwrap_or_default();
        assert!(label.starts_with("ClassifyFunctionRole/"), "{label:?}");
    }

    #[test]
    fn the_classify_piece_allows_the_llm_but_not_the_embedder() {
        let template = Template::parse(CLASSIFY_PIECE).unwrap();
        let role = template
            .function_role("ClassifyFunction", &context())
            .unwrap();
        let model = |id: &str| format!("arn:aws:bedrock:eu-west-1::foundation-model/{id}");

        let llm = role.allowing(
            "bedrock:InvokeModel",
            &model("anthropic.claude-3-5-haiku-20241022-v1:0"),
        );
        let embedder = role.allowing(
            "bedrock:InvokeModel",
            &model("amazon.titan-embed-text-v2:0"),
        );

        assert_eq!(
            llm.map(|s| s.label.as_str()),
            Some("ClassifyFunctionRole/consume-own-queue/3")
        );
        assert_eq!(embedder, None);
    }

    #[test]
    fn the_managed_vpc_policy_is_expanded_and_labelled() {
        let template = Template::parse(CLASSIFY_PIECE).unwrap();
        let role = template
            .function_role("ClassifyFunction", &context())
            .unwrap();

        let statement = role.allowing("EC2:CreateNetworkInterface", "*");

        assert_eq!(
            statement.map(|s| s.label.as_str()),
            Some("ClassifyFunctionRole/managed/AWSLambdaVPCAccessExecutionRole")
        );
        assert!(
            role.allowing(
                "sqs:ReceiveMessage",
                "arn:aws:sqs:eu-west-1:123456789012:Other-Q"
            )
            .is_some()
        );
        assert!(
            role.allowing("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:Q")
                .is_none()
        );
    }

    #[test]
    fn the_ingest_glue_grant_uses_the_prefix_default_or_its_override() {
        let template = Template::load_repo().unwrap();
        let glue_database = "arn:aws:glue:eu-west-1:123456789012:database/analyst_shop";
        let mut overridden = context();
        overridden
            .parameter_overrides
            .insert("GlueDatabasePrefix".to_owned(), "other_".to_owned());

        let by_default = template
            .function_role("IngestFunction", &context())
            .unwrap();
        let with_override = template
            .function_role("IngestFunction", &overridden)
            .unwrap();

        assert!(
            by_default
                .allowing("glue:CreateTable", glue_database)
                .is_some()
        );
        assert!(
            with_override
                .allowing("glue:CreateTable", glue_database)
                .is_none()
        );
        let data_object = "arn:aws:s3:::analyst-uploads-1a2b/data/shop/orders/part-0.parquet";
        assert!(by_default.allowing("s3:PutObject", data_object).is_some());
        assert!(
            by_default
                .allowing(
                    "s3:PutObject",
                    "arn:aws:s3:::analyst-uploads-1a2b/uploads/x.zip"
                )
                .is_none()
        );
    }

    #[test]
    fn a_deny_a_not_action_or_an_unknown_managed_policy_is_an_error() {
        let with = |statement: &str, managed: &str| {
            format!(
                "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      ManagedPolicyArns: [{managed}]\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - {statement}\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Role: !GetAtt R.Arn\n"
            )
        };
        let role_of = |yaml: String| {
            Template::parse(&yaml)
                .unwrap()
                .function_role("F", &context())
        };

        let deny = role_of(with("{Effect: Deny, Action: '*', Resource: '*'}", ""));
        let not_action = role_of(with(
            "{Effect: Allow, NotAction: 's3:*', Resource: '*'}",
            "",
        ));
        let unknown = role_of(with(
            "{Effect: Allow, Action: 's3:*', Resource: '*'}",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ));
        let fine = role_of(with("{Effect: Allow, Action: 's3:*', Resource: '*'}", ""));

        assert!(
            matches!(deny, Err(TemplateError::UnsupportedPolicy { .. })),
            "{deny:?}"
        );
        assert!(
            matches!(not_action, Err(TemplateError::UnsupportedPolicy { .. })),
            "{not_action:?}"
        );
        assert!(
            matches!(unknown, Err(TemplateError::UnknownManagedPolicy(_))),
            "{unknown:?}"
        );
        assert_eq!(fine.unwrap().statements.len(), 1);
    }

    #[test]
    fn a_statement_under_if_follows_the_condition() {
        let yaml = r#"
Parameters:
  Extra: {Type: String, Default: "no"}
Conditions:
  WithExtra: !Equals [!Ref Extra, "yes"]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
              - !If
                - WithExtra
                - {Effect: Allow, Action: s3:PutObject, Resource: "*"}
                - !Ref AWS::NoValue
  F:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt R.Arn
"#;
        let template = Template::parse(yaml).unwrap();
        let mut with_extra = context();
        with_extra
            .parameter_overrides
            .insert("Extra".to_owned(), "yes".to_owned());

        let without = template.function_role("F", &context()).unwrap();
        let with = template.function_role("F", &with_extra).unwrap();

        assert!(without.allowing("s3:PutObject", "x").is_none());
        assert_eq!(
            with.allowing("s3:PutObject", "x").map(|s| s.label.as_str()),
            Some("R/p/1")
        );
    }

    #[test]
    fn a_function_without_a_template_role_is_an_error() {
        let template =
            Template::parse("Resources:\n  F:\n    Type: AWS::Serverless::Function\n").unwrap();

        assert!(matches!(
            template.function_role("F", &context()),
            Err(TemplateError::RoleNotInTemplate { .. })
        ));
        assert!(matches!(
            template.function_role("G", &context()),
            Err(TemplateError::NotAFunction(_))
        ));
    }
}
