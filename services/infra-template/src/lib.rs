//! `infra/template.yaml` read as data: the IAM statements of the role each function runs under,
//! with CloudFormation's intrinsic functions resolved, for audits of the calls a process makes.
//!
//! Invariant: what cannot be known before a deploy (the physical name of a stack resource)
//! resolves to an ARN pattern of its type with `*` for the name, never to something narrower.

mod iam;
mod intrinsics;

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

pub use iam::{RolePolicy, Statement, glob_matches};
pub use intrinsics::ResolveContext;

/// Why the template could not be read as asked.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The YAML does not parse.
    #[error("parse the template: {0}")]
    Parse(#[from] serde_yaml_ng::Error),
    /// The template is not shaped as expected.
    #[error("{0}")]
    Shape(String),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    root: Value,
}

impl Template {
    /// `infra/template.yaml` of this repository.
    pub fn load_repo() -> Result<Template, TemplateError> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
        let text = std::fs::read_to_string(&path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Template::parse(&text)
    }

    /// A template from its YAML text.
    pub fn parse(yaml: &str) -> Result<Template, TemplateError> {
        Ok(Template {
            root: serde_yaml_ng::from_str(yaml)?,
        })
    }

    /// The resource `logical_id`, as written.
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.root.get("Resources")?.get(logical_id)
    }

    /// Logical ids of every resource of `resource_type`, e.g. `AWS::Serverless::Function`.
    pub fn logical_ids_of_type(&self, resource_type: &str) -> Vec<String> {
        self.resources()
            .filter(|(_, resource)| resource_type_of(resource) == Some(resource_type))
            .map(|(logical_id, _)| logical_id.to_owned())
            .collect()
    }

    /// Logical ids of every `AWS::Serverless::Function`.
    pub fn function_logical_ids(&self) -> Vec<String> {
        self.logical_ids_of_type("AWS::Serverless::Function")
    }

    /// The IAM policy of the role `function_logical_id` runs under (`Role: !GetAtt X.Arn`).
    pub fn function_role(
        &self,
        function_logical_id: &str,
        context: &ResolveContext,
    ) -> Result<RolePolicy, TemplateError> {
        let function = self
            .resource(function_logical_id)
            .ok_or_else(|| shape(format!("no resource {function_logical_id}")))?;
        let role = function
            .get("Properties")
            .and_then(|properties| properties.get("Role"))
            .ok_or_else(|| shape(format!("{function_logical_id} names no Role")))?;
        let role_logical_id = intrinsics::get_att_target(role).ok_or_else(|| {
            shape(format!(
                "{function_logical_id}'s Role is not !GetAtt <role>.Arn"
            ))
        })?;
        let role_resource = self
            .resource(&role_logical_id)
            .ok_or_else(|| shape(format!("no role {role_logical_id}")))?;
        let resolver = intrinsics::Resolver::new(self, context);
        iam::role_policy(&role_logical_id, role_resource, &resolver)
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|mapping| mapping.iter())
            .filter_map(|(key, value)| Some((key.as_str()?, value)))
    }

    fn parameter_defaults(&self) -> BTreeMap<String, String> {
        self.root
            .get("Parameters")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|mapping| mapping.iter())
            .filter_map(|(name, parameter)| {
                let default = parameter.get("Default")?;
                let text = match default {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    Value::Bool(flag) => flag.to_string(),
                    _ => return None,
                };
                Some((name.as_str()?.to_owned(), text))
            })
            .collect()
    }

    fn condition(&self, name: &str) -> Option<&Value> {
        self.root.get("Conditions")?.get(name)
    }
}

fn resource_type_of(resource: &Value) -> Option<&str> {
    resource.get("Type")?.as_str()
}

pub(crate) fn shape(message: String) -> TemplateError {
    TemplateError::Shape(message)
}
