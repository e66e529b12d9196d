//! Evaluates the intrinsic functions of a template (long form, see `parse`) against a
//! [`ResolveContext`]: parameters take their override or `Default`, pseudo parameters come from
//! the context, `Conditions` are evaluated, and stack resources become ARN patterns
//! (`resource_arns`).
//!
//! Invariant: never guesses; an intrinsic it cannot evaluate exactly is an error, except the
//! physical names of stack resources and imported values, which become `*`.

use serde_yaml_ng::{Mapping, Value};

use crate::ResolveContext;
use crate::error::TemplateError;
use crate::resource_arns::{get_att_pattern, ref_pattern};

/// How deep conditions may refer to conditions before the chain counts as a cycle.
const MAX_CONDITION_DEPTH: usize = 64;

/// The evaluator of one template under one context.
pub(crate) struct Resolver<'a> {
    pub(crate) root: &'a Value,
    pub(crate) context: &'a ResolveContext,
}

impl Resolver<'_> {
    /// The value with every intrinsic evaluated; `None` for `AWS::NoValue` (the property is
    /// dropped). `AWS::NoValue` items of lists and mappings are dropped too.
    pub(crate) fn resolve(&self, value: &Value) -> Result<Option<Value>, TemplateError> {
        if let Some((name, argument)) = intrinsic(value) {
            if matches!(
                name,
                "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition"
            ) {
                return self
                    .condition_value(value, 0)
                    .map(|holds| Some(Value::Bool(holds)));
            }
            return self.intrinsic(name, argument);
        }
        match value {
            Value::Sequence(items) => {
                let mut resolved = Vec::with_capacity(items.len());
                for item in items {
                    resolved.extend(self.resolve(item)?);
                }
                Ok(Some(Value::Sequence(resolved)))
            }
            Value::Mapping(mapping) => {
                let mut resolved = Mapping::new();
                for (key, item) in mapping {
                    if let Some(item) = self.resolve(item)? {
                        resolved.insert(key.clone(), item);
                    }
                }
                Ok(Some(Value::Mapping(resolved)))
            }
            Value::Tagged(tagged) => Err(TemplateError::UnknownTag(tagged.tag.to_string())),
            scalar => Ok(Some(scalar.clone())),
        }
    }

    /// The value evaluated to one string (numbers and booleans are written out).
    pub(crate) fn resolve_string(
        &self,
        value: &Value,
        what: &str,
    ) -> Result<String, TemplateError> {
        match self.resolve(value)? {
            Some(resolved) => {
                scalar_string(&resolved).ok_or_else(|| malformed(format!("{what} is not a string")))
            }
            None => Err(malformed(format!("{what} is AWS::NoValue"))),
        }
    }

    /// Whether the named condition of `Conditions` holds.
    pub(crate) fn condition(&self, name: &str) -> Result<bool, TemplateError> {
        self.named_condition(name, 0)
    }

    fn named_condition(&self, name: &str, depth: usize) -> Result<bool, TemplateError> {
        if depth > MAX_CONDITION_DEPTH {
            return Err(malformed(format!("condition {name} refers to itself")));
        }
        let definition = self
            .root
            .get("Conditions")
            .and_then(|conditions| conditions.get(name))
            .ok_or_else(|| TemplateError::UnknownCondition(name.to_owned()))?;
        self.condition_value(definition, depth + 1)
    }

    fn condition_value(&self, value: &Value, depth: usize) -> Result<bool, TemplateError> {
        let Some((name, argument)) = intrinsic(value) else {
            return match value {
                Value::Bool(holds) => Ok(*holds),
                _ => Err(malformed(
                    "a condition is not a condition function".to_owned(),
                )),
            };
        };
        match name {
            "Condition" => self.named_condition(as_str(argument, "Condition")?, depth),
            "Fn::Equals" => {
                let [left, right] = fixed_args(argument, name)?;
                Ok(self.resolve_string(left, name)? == self.resolve_string(right, name)?)
            }
            "Fn::Not" => {
                let [operand] = fixed_args(argument, name)?;
                Ok(!self.condition_value(operand, depth)?)
            }
            "Fn::And" | "Fn::Or" => {
                let operands = as_sequence(argument, name)?;
                let mut holds = Vec::with_capacity(operands.len());
                for operand in operands {
                    holds.push(self.condition_value(operand, depth)?);
                }
                Ok(if name == "Fn::And" {
                    holds.iter().all(|h| *h)
                } else {
                    holds.iter().any(|h| *h)
                })
            }
            other => Err(malformed(format!("{other} is not a condition function"))),
        }
    }

    fn intrinsic(&self, name: &str, argument: &Value) -> Result<Option<Value>, TemplateError> {
        match name {
            "Ref" => self.reference(as_str(argument, name)?),
            "Fn::GetAtt" => {
                let [logical_id, attribute] = fixed_args(argument, name)?;
                let logical_id = as_str(logical_id, name)?;
                let attribute = self.resolve_string(attribute, name)?;
                Ok(Some(Value::String(self.get_att(logical_id, &attribute)?)))
            }
            "Fn::Sub" => self.substitute(argument).map(|s| Some(Value::String(s))),
            "Fn::Join" => {
                let [delimiter, items] = fixed_args(argument, name)?;
                let delimiter = self.resolve_string(delimiter, name)?;
                let items = self.resolve_list(items, name)?;
                let strings = items
                    .iter()
                    .map(|item| {
                        scalar_string(item)
                            .ok_or_else(|| malformed(format!("{name} item is not a string")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Some(Value::String(strings.join(&delimiter))))
            }
            "Fn::Select" => {
                let [index, items] = fixed_args(argument, name)?;
                let index: usize = self
                    .resolve_string(index, name)?
                    .parse()
                    .map_err(|_| malformed(format!("{name} index is not a number")))?;
                let items = self.resolve_list(items, name)?;
                items.into_iter().nth(index).map(Some).ok_or_else(|| {
                    malformed(format!("{name} index {index} is past the end of the list"))
                })
            }
            "Fn::Split" => {
                let [delimiter, source] = fixed_args(argument, name)?;
                let delimiter = self.resolve_string(delimiter, name)?;
                let source = self.resolve_string(source, name)?;
                let parts = source
                    .split(delimiter.as_str())
                    .map(|p| Value::String(p.to_owned()));
                Ok(Some(Value::Sequence(parts.collect())))
            }
            "Fn::If" => {
                let [condition, when_true, when_false] = fixed_args(argument, name)?;
                let chosen = if self.condition(as_str(condition, name)?)? {
                    when_true
                } else {
                    when_false
                };
                self.resolve(chosen)
            }
            "Fn::FindInMap" => {
                let [map_name, top_key, second_key] = fixed_args(argument, name)?;
                let map_name = self.resolve_string(map_name, name)?;
                let top_key = self.resolve_string(top_key, name)?;
                let second_key = self.resolve_string(second_key, name)?;
                let found = self
                    .root
                    .get("Mappings")
                    .and_then(|mappings| mappings.get(map_name.as_str()))
                    .and_then(|map| map.get(top_key.as_str()))
                    .and_then(|entry| entry.get(second_key.as_str()))
                    .ok_or_else(|| {
                        TemplateError::UnknownReference(format!(
                            "{map_name}.{top_key}.{second_key}"
                        ))
                    })?;
                self.resolve(found)
            }
            // An export of another stack: unknown before deploy, like a physical name.
            "Fn::ImportValue" => Ok(Some(Value::String("*".to_owned()))),
            "Fn::Base64" => {
                let text = self.resolve_string(argument, name)?;
                Ok(Some(Value::String(base64(text.as_bytes()))))
            }
            "Fn::GetAZs" => {
                let region = &self.context.region;
                let zones = ["a", "b", "c"].map(|zone| Value::String(format!("{region}{zone}")));
                Ok(Some(Value::Sequence(zones.to_vec())))
            }
            other => Err(TemplateError::UnsupportedIntrinsic(other.to_owned())),
        }
    }

    fn resolve_list(&self, value: &Value, what: &str) -> Result<Vec<Value>, TemplateError> {
        match self.resolve(value)? {
            Some(Value::Sequence(items)) => Ok(items),
            _ => Err(malformed(format!("{what} argument is not a list"))),
        }
    }

    fn reference(&self, name: &str) -> Result<Option<Value>, TemplateError> {
        let context = self.context;
        let overridden = context.parameter_overrides.get(name).cloned();
        let pseudo = match name {
            "AWS::Region" => Some(context.region.clone()),
            "AWS::AccountId" => Some(context.account.clone()),
            "AWS::Partition" => Some(context.partition.clone()),
            "AWS::URLSuffix" => Some(overridden.clone().unwrap_or_else(|| url_suffix(context))),
            "AWS::StackName" => Some(overridden.clone().unwrap_or_else(|| "*".to_owned())),
            "AWS::StackId" => Some(overridden.clone().unwrap_or_else(|| {
                format!(
                    "arn:{}:cloudformation:{}:{}:stack/*",
                    context.partition, context.region, context.account
                )
            })),
            "AWS::NotificationARNs" => {
                return Ok(Some(Value::Sequence(vec![Value::String("*".to_owned())])));
            }
            "AWS::NoValue" => return Ok(None),
            _ => None,
        };
        if let Some(pseudo) = pseudo {
            return Ok(Some(Value::String(pseudo)));
        }
        if let Some(parameter) = self.root.get("Parameters").and_then(|p| p.get(name)) {
            let value = match overridden {
                Some(value) => value,
                None => parameter
                    .get("Default")
                    .and_then(scalar_string)
                    .ok_or_else(|| TemplateError::ParameterWithoutValue(name.to_owned()))?,
            };
            let parameter_type = parameter
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or("String");
            if parameter_type.starts_with("List<") || parameter_type == "CommaDelimitedList" {
                let items = value
                    .split(',')
                    .map(|item| Value::String(item.trim().to_owned()));
                return Ok(Some(Value::Sequence(items.collect())));
            }
            return Ok(Some(Value::String(value)));
        }
        let resource_type = self.resource_type(name)?;
        Ok(Some(Value::String(ref_pattern(resource_type, context))))
    }

    fn get_att(&self, logical_id: &str, attribute: &str) -> Result<String, TemplateError> {
        let resource_type = self.resource_type(logical_id)?;
        Ok(get_att_pattern(resource_type, attribute, self.context))
    }

    fn resource_type(&self, logical_id: &str) -> Result<&str, TemplateError> {
        self.root["Resources"]
            .get(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_owned()))?
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(format!("resource {logical_id} has no Type")))
    }

    /// `Fn::Sub` in its string form and its `[string, {name: value}]` form.
    fn substitute(&self, argument: &Value) -> Result<String, TemplateError> {
        let (template, variables) = match argument {
            Value::String(template) => (template.as_str(), None),
            Value::Sequence(items) => match items.as_slice() {
                [Value::String(template), Value::Mapping(variables)] => {
                    (template.as_str(), Some(variables))
                }
                _ => {
                    return Err(malformed(
                        "Fn::Sub list is not [string, mapping]".to_owned(),
                    ));
                }
            },
            _ => {
                return Err(malformed(
                    "Fn::Sub argument is not a string or a list".to_owned(),
                ));
            }
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| malformed(format!("unclosed ${{ in Fn::Sub {template:?}")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                out.push_str(&self.sub_variable(name.trim(), variables)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn sub_variable(
        &self,
        name: &str,
        variables: Option<&Mapping>,
    ) -> Result<String, TemplateError> {
        if let Some(value) = variables.and_then(|variables| variables.get(name)) {
            return self.resolve_string(value, &format!("Fn::Sub variable {name}"));
        }
        let resolved = match name.split_once('.') {
            Some((logical_id, attribute)) if !name.starts_with("AWS::") => {
                Some(Value::String(self.get_att(logical_id, attribute)?))
            }
            _ => self.reference(name)?,
        };
        resolved
            .as_ref()
            .and_then(scalar_string)
            .ok_or_else(|| malformed(format!("Fn::Sub variable {name} is not a string")))
    }
}

/// The name and argument of an intrinsic function call: a mapping with the one key `Ref`,
/// `Condition` (with a string) or `Fn::*`.
pub(crate) fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let Value::Mapping(mapping) = value else {
        return None;
    };
    if mapping.len() != 1 {
        return None;
    }
    let (key, argument) = mapping.iter().next()?;
    let key = key.as_str()?;
    let is_intrinsic =
        key == "Ref" || key.starts_with("Fn::") || (key == "Condition" && argument.is_string());
    is_intrinsic.then_some((key, argument))
}

/// The logical id a `Ref` or `Fn::GetAtt` (long form) points at, with the attribute of a
/// `Fn::GetAtt`; `None` for any other value.
pub fn referenced_logical_id(value: &Value) -> Option<(&str, Option<&str>)> {
    match intrinsic(value)? {
        ("Ref", Value::String(logical_id)) => Some((logical_id.as_str(), None)),
        ("Fn::GetAtt", Value::Sequence(items)) => match items.as_slice() {
            [Value::String(logical_id), Value::String(attribute)] => {
                Some((logical_id.as_str(), Some(attribute.as_str())))
            }
            _ => None,
        },
        _ => None,
    }
}

fn url_suffix(context: &ResolveContext) -> String {
    if context.partition == "aws-cn" {
        "amazonaws.com.cn".to_owned()
    } else {
        "amazonaws.com".to_owned()
    }
}

pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn as_str<'a>(value: &'a Value, what: &str) -> Result<&'a str, TemplateError> {
    value
        .as_str()
        .ok_or_else(|| malformed(format!("{what} argument is not a string")))
}

fn as_sequence<'a>(value: &'a Value, what: &str) -> Result<&'a [Value], TemplateError> {
    match value {
        Value::Sequence(items) => Ok(items.as_slice()),
        _ => Err(malformed(format!("{what} argument is not a list"))),
    }
}

fn fixed_args<'a, const N: usize>(
    value: &'a Value,
    what: &str,
) -> Result<[&'a Value; N], TemplateError> {
    let items = as_sequence(value, what)?;
    let refs: Vec<&Value> = items.iter().collect();
    refs.try_into()
        .map_err(|_| malformed(format!("{what} takes a list of {N} arguments")))
}

fn malformed(message: String) -> TemplateError {
    TemplateError::Malformed(message)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{ResolveContext, Template};
    use serde_yaml_ng::Value;

    const TEMPLATE: &str = r#"
Parameters:
  Prefix:
    Type: String
    Default: analyst_
  Stage:
    Type: String
    Default: prod
    AllowedValues: [prod, dev]
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
    Default: subnet-a,subnet-b
  Size:
    Type: Number
    Default: 1024
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition IsDev, !Equals [a, a]]]
Mappings:
  Sizes:
    prod: {memory: 2048}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
  Machine:
    Type: AWS::Serverless::StateMachine
  Values:
    Type: Custom::Values
    Properties:
      BucketData: !Sub "${Bucket}/data/*"
      BucketArnData: !Sub "${Bucket.Arn}/data/*"
      Glue: !Sub "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/${Prefix}*"
      Literal: !Sub "${!NotAVariable}-${Stage}"
      Unknown: !Sub "${Name}"
      WithVariables: !Sub ["${Name}-${Size}", {Name: !Ref Stage}]
      QueueUrl: !Ref Queue
      QueueArn: !GetAtt [Queue, Arn]
      MachineArn: {"Fn::GetAtt": [Machine, Arn]}
      Joined: !Join [",", !Ref Subnets]
      Second: !Select [1, !Ref Subnets]
      Split: !Split ["/", "a/b/c"]
      Memory: !FindInMap [Sizes, !Ref Stage, memory]
      Chosen: !If [IsDev, dev-value, prod-value]
      Dropped: !If [IsDev, dev-value, !Ref AWS::NoValue]
      List: [one, !If [IsProd, !Ref AWS::NoValue, two], three]
      Both: !Condition Both
      Imported: !ImportValue other-stack-export
      Encoded: !Base64 "hello"
      Zones: !GetAZs ""
      Long: {"Fn::Sub": "${AWS::Region}"}
"#;

    fn resolved(property: &str, context: &ResolveContext) -> Option<Value> {
        let template = Template::parse(TEMPLATE).unwrap();
        let value = &template.resource("Values").unwrap()["Properties"][property];
        template.resolve(value, context).unwrap()
    }

    fn string(property: &str) -> String {
        let context = ResolveContext::new("eu-west-1", "123456789012");
        super::scalar_string(&resolved(property, &context).unwrap()).unwrap()
    }

    #[test]
    fn sub_turns_resource_references_into_patterns() {
        assert_eq!(string("BucketData"), "*/data/*");
        assert_eq!(string("BucketArnData"), "arn:aws:s3:::*/data/*");
        assert_eq!(
            string("QueueUrl"),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/*"
        );
        assert_eq!(string("QueueArn"), "arn:aws:sqs:eu-west-1:123456789012:*");
        assert_eq!(
            string("MachineArn"),
            "arn:aws:states:eu-west-1:123456789012:stateMachine:*"
        );
    }

    #[test]
    fn sub_uses_parameter_defaults_pseudo_parameters_and_its_own_variables() {
        assert_eq!(
            string("Glue"),
            "arn:aws:glue:eu-west-1:123456789012:database/analyst_*"
        );
        assert_eq!(string("WithVariables"), "prod-1024");
        assert_eq!(string("Long"), "eu-west-1");
    }

    #[test]
    fn sub_keeps_an_escaped_variable_literally() {
        assert_eq!(string("Literal"), "${NotAVariable}-prod");
    }

    #[test]
    fn sub_of_an_unknown_name_is_an_error() {
        let template = Template::parse(TEMPLATE).unwrap();
        let value = &template.resource("Values").unwrap()["Properties"]["Unknown"];

        let result = template.resolve(value, &ResolveContext::new("eu-west-1", "1"));

        assert!(
            matches!(result, Err(crate::TemplateError::UnknownReference(name)) if name == "Name")
        );
    }

    #[test]
    fn list_functions_and_mappings_resolve() {
        assert_eq!(string("Joined"), "subnet-a,subnet-b");
        assert_eq!(string("Second"), "subnet-b");
        assert_eq!(string("Memory"), "2048");
        let context = ResolveContext::new("eu-west-1", "1");
        let split = resolved("Split", &context).unwrap();
        assert_eq!(split.as_sequence().unwrap().len(), 3);
        let zones = resolved("Zones", &context).unwrap();
        assert_eq!(zones[0], Value::from("eu-west-1a"));
        assert_eq!(string("Imported"), "*");
        assert_eq!(string("Encoded"), "aGVsbG8=");
    }

    #[test]
    fn conditions_choose_the_branch_and_no_value_drops_it() {
        let default = ResolveContext::new("eu-west-1", "1");
        let mut dev = default.clone();
        dev.parameter_overrides
            .insert("Stage".to_owned(), "dev".to_owned());

        assert_eq!(
            resolved("Chosen", &default),
            Some(Value::from("prod-value"))
        );
        assert_eq!(resolved("Chosen", &dev), Some(Value::from("dev-value")));
        assert_eq!(resolved("Dropped", &default), None);
        assert_eq!(
            resolved("List", &default),
            Some(Value::Sequence(vec![
                Value::from("one"),
                Value::from("three")
            ]))
        );
        assert_eq!(
            resolved("List", &dev).unwrap().as_sequence().unwrap().len(),
            3
        );
        assert_eq!(resolved("Both", &default), Some(Value::Bool(true)));
        assert_eq!(resolved("Both", &dev), Some(Value::Bool(false)));
    }

    #[test]
    fn an_unknown_condition_is_an_error() {
        let template = Template::parse("Resources: {}\n").unwrap();

        let result = template.condition("Missing", &ResolveContext::new("eu-west-1", "1"));

        assert!(
            matches!(result, Err(crate::TemplateError::UnknownCondition(name)) if name == "Missing")
        );
    }
}
