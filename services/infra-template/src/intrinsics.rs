//! CloudFormation's intrinsic functions, resolved against parameter defaults, the pseudo
//! parameters of a [`ResolveContext`] and ARN patterns for stack resources.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;
use serde_yaml_ng::value::TaggedValue;

use crate::{Template, TemplateError, resource_type_of, shape};

/// Where the template is imagined deployed.
#[derive(Debug, Clone)]
pub struct ResolveContext {
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account: String,
    /// `AWS::Partition`.
    pub partition: String,
    /// Parameter values used instead of the defaults.
    pub parameter_overrides: BTreeMap<String, String>,
}

/// Resolves values of one template in one context.
pub(crate) struct Resolver<'a> {
    template: &'a Template,
    context: &'a ResolveContext,
    parameters: BTreeMap<String, String>,
}

/// `X` of `!GetAtt X.Arn` (or `[X, Arn]`).
pub(crate) fn get_att_target(value: &Value) -> Option<String> {
    let (function, argument) = intrinsic(value)?;
    if function != "GetAtt" {
        return None;
    }
    let (logical_id, _) = get_att_parts(argument)?;
    Some(logical_id)
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(template: &'a Template, context: &'a ResolveContext) -> Self {
        let mut parameters = template.parameter_defaults();
        parameters.extend(context.parameter_overrides.clone());
        Resolver {
            template,
            context,
            parameters,
        }
    }

    /// `value` with every intrinsic replaced by its result; `None` for `AWS::NoValue`.
    pub(crate) fn resolve(&self, value: &Value) -> Result<Option<Value>, TemplateError> {
        if let Some((function, argument)) = intrinsic(value) {
            return self.call(&function, argument);
        }
        Ok(Some(match value {
            Value::Sequence(items) => {
                let mut resolved = Vec::with_capacity(items.len());
                for item in items {
                    resolved.extend(self.resolve(item)?);
                }
                Value::Sequence(resolved)
            }
            Value::Mapping(mapping) => {
                let mut resolved = serde_yaml_ng::Mapping::new();
                for (key, item) in mapping {
                    if let Some(item) = self.resolve(item)? {
                        resolved.insert(key.clone(), item);
                    }
                }
                Value::Mapping(resolved)
            }
            other => other.clone(),
        }))
    }

    /// `value` resolved to one string.
    pub(crate) fn resolve_string(&self, value: &Value) -> Result<String, TemplateError> {
        match self.resolve(value)? {
            Some(Value::String(text)) => Ok(text),
            Some(Value::Number(number)) => Ok(number.to_string()),
            Some(Value::Bool(flag)) => Ok(flag.to_string()),
            other => Err(shape(format!("expected a string, got {other:?}"))),
        }
    }

    fn call(&self, function: &str, argument: &Value) -> Result<Option<Value>, TemplateError> {
        let text = |text: String| Ok(Some(Value::String(text)));
        match function {
            "Ref" => {
                let name = argument
                    .as_str()
                    .ok_or_else(|| shape(format!("!Ref of {argument:?}")))?;
                if name == "AWS::NoValue" {
                    return Ok(None);
                }
                text(self.reference(name)?)
            }
            "GetAtt" => {
                let (logical_id, attribute) = get_att_parts(argument)
                    .ok_or_else(|| shape(format!("!GetAtt of {argument:?}")))?;
                text(self.attribute(&logical_id, &attribute)?)
            }
            "Sub" => text(self.substitute(argument)?),
            "Join" => {
                let parts = argument.as_sequence().filter(|parts| parts.len() == 2);
                let [delimiter, items] = parts
                    .map(|parts| [&parts[0], &parts[1]])
                    .ok_or_else(|| shape(format!("!Join of {argument:?}")))?;
                let delimiter = self.resolve_string(delimiter)?;
                let items = match self.resolve(items)? {
                    Some(Value::Sequence(items)) => items,
                    other => return Err(shape(format!("!Join list {other:?}"))),
                };
                let strings: Result<Vec<String>, TemplateError> =
                    items.iter().map(|item| self.resolve_string(item)).collect();
                text(strings?.join(&delimiter))
            }
            "If" => {
                let branches = argument
                    .as_sequence()
                    .filter(|branches| branches.len() == 3)
                    .ok_or_else(|| shape(format!("!If of {argument:?}")))?;
                let condition = branches[0]
                    .as_str()
                    .ok_or_else(|| shape("!If needs a condition name".to_owned()))?;
                let chosen = if self.condition(condition)? {
                    &branches[1]
                } else {
                    &branches[2]
                };
                self.resolve(chosen)
            }
            "Equals" | "Not" | "And" | "Or" | "Condition" => {
                Ok(Some(Value::Bool(self.evaluate(function, argument)?)))
            }
            other => Err(shape(format!("intrinsic {other} is not supported"))),
        }
    }

    fn condition(&self, name: &str) -> Result<bool, TemplateError> {
        let definition = self
            .template
            .condition(name)
            .ok_or_else(|| shape(format!("no condition {name}")))?;
        let (function, argument) = intrinsic(definition)
            .ok_or_else(|| shape(format!("condition {name} is no function")))?;
        self.evaluate(&function, argument)
    }

    fn evaluate(&self, function: &str, argument: &Value) -> Result<bool, TemplateError> {
        let operands = || {
            argument
                .as_sequence()
                .ok_or_else(|| shape(format!("!{function} of {argument:?}")))
        };
        let truth = |value: &Value| -> Result<bool, TemplateError> {
            match self.resolve(value)? {
                Some(Value::Bool(flag)) => Ok(flag),
                other => Err(shape(format!("not a condition: {other:?}"))),
            }
        };
        match function {
            "Equals" => {
                let operands = operands()?;
                if operands.len() != 2 {
                    return Err(shape("!Equals needs two operands".to_owned()));
                }
                Ok(self.resolve_string(&operands[0])? == self.resolve_string(&operands[1])?)
            }
            "Not" => Ok(!truth(
                operands()?
                    .first()
                    .ok_or_else(|| shape("!Not of nothing".to_owned()))?,
            )?),
            "And" => operands()?
                .iter()
                .try_fold(true, |all, item| Ok(all && truth(item)?)),
            "Or" => operands()?
                .iter()
                .try_fold(false, |any, item| Ok(any || truth(item)?)),
            "Condition" => self.condition(
                argument
                    .as_str()
                    .ok_or_else(|| shape("!Condition needs a name".to_owned()))?,
            ),
            other => Err(shape(format!("{other} is not a condition function"))),
        }
    }

    /// `!Ref name`: a parameter, a pseudo parameter or a stack resource.
    fn reference(&self, name: &str) -> Result<String, TemplateError> {
        let ResolveContext {
            region,
            account,
            partition,
            ..
        } = self.context;
        match name {
            "AWS::Region" => return Ok(region.clone()),
            "AWS::AccountId" => return Ok(account.clone()),
            "AWS::Partition" => return Ok(partition.clone()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".to_owned()),
            "AWS::StackName" => return Ok("*".to_owned()),
            _ => {}
        }
        if let Some(value) = self.parameters.get(name) {
            return Ok(value.clone());
        }
        let resource = self.template.resource(name).ok_or_else(|| {
            shape(format!(
                "!Ref {name}: no parameter or resource of that name"
            ))
        })?;
        Ok(match resource_type_of(resource).unwrap_or_default() {
            "AWS::SQS::Queue" => format!("https://sqs.{region}.amazonaws.com/{account}/*"),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                format!("arn:{partition}:states:{region}:{account}:stateMachine:*")
            }
            "AWS::SecretsManager::Secret" => {
                format!("arn:{partition}:secretsmanager:{region}:{account}:secret:*")
            }
            _ => "*".to_owned(),
        })
    }

    /// `!GetAtt logical_id.attribute` of a stack resource.
    fn attribute(&self, logical_id: &str, attribute: &str) -> Result<String, TemplateError> {
        let ResolveContext {
            region,
            account,
            partition,
            ..
        } = self.context;
        let resource = self
            .template
            .resource(logical_id)
            .ok_or_else(|| shape(format!("!GetAtt {logical_id}: no such resource")))?;
        let resource_type = resource_type_of(resource).unwrap_or_default();
        Ok(match (resource_type, attribute) {
            ("AWS::SQS::Queue", "Arn") => format!("arn:{partition}:sqs:{region}:{account}:*"),
            ("AWS::S3::Bucket", "Arn") => format!("arn:{partition}:s3:::*"),
            ("AWS::Logs::LogGroup", "Arn") => {
                format!("arn:{partition}:logs:{region}:{account}:log-group:*")
            }
            ("AWS::IAM::Role", "Arn") => format!("arn:{partition}:iam::{account}:role/*"),
            ("AWS::Serverless::Function" | "AWS::Lambda::Function", "Arn") => {
                format!("arn:{partition}:lambda:{region}:{account}:function:*")
            }
            _ => "*".to_owned(),
        })
    }

    /// `!Sub text` or `!Sub [text, {name: value}]`.
    fn substitute(&self, argument: &Value) -> Result<String, TemplateError> {
        let (template, variables) = match argument {
            Value::String(text) => (text.as_str(), BTreeMap::new()),
            Value::Sequence(parts) if parts.len() == 2 => {
                let text = parts[0]
                    .as_str()
                    .ok_or_else(|| shape("!Sub text must be a string".to_owned()))?;
                let mut variables = BTreeMap::new();
                for (name, value) in parts[1].as_mapping().into_iter().flatten() {
                    let name = name
                        .as_str()
                        .ok_or_else(|| shape("!Sub variable names are strings".to_owned()))?;
                    variables.insert(name.to_owned(), self.resolve_string(value)?);
                }
                (text, variables)
            }
            other => return Err(shape(format!("!Sub of {other:?}"))),
        };
        let mut resolved = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            resolved.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| shape(format!("unclosed ${{ in !Sub {template}")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                resolved.push_str("${");
                resolved.push_str(literal);
                resolved.push('}');
            } else if let Some(value) = variables.get(name) {
                resolved.push_str(value);
            } else if let Some((logical_id, attribute)) = name.split_once('.') {
                resolved.push_str(&self.attribute(logical_id, attribute)?);
            } else {
                resolved.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        resolved.push_str(rest);
        Ok(resolved)
    }
}

/// The function name and argument of a short-form (`!Sub`) or long-form (`Fn::Sub:`, `Ref:`)
/// intrinsic.
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => {
            let TaggedValue { tag, value } = tagged.as_ref();
            Some((tag.to_string().trim_start_matches('!').to_owned(), value))
        }
        Value::Mapping(mapping) if mapping.len() == 1 => {
            let (key, argument) = mapping.iter().next()?;
            let key = key.as_str()?;
            let function = key.strip_prefix("Fn::").or((key == "Ref").then_some(key))?;
            Some((function.to_owned(), argument))
        }
        _ => None,
    }
}

fn get_att_parts(argument: &Value) -> Option<(String, String)> {
    match argument {
        Value::String(text) => {
            let (logical_id, attribute) = text.split_once('.')?;
            Some((logical_id.to_owned(), attribute.to_owned()))
        }
        Value::Sequence(parts) if parts.len() == 2 => {
            Some((parts[0].as_str()?.to_owned(), parts[1].as_str()?.to_owned()))
        }
        _ => None,
    }
}
