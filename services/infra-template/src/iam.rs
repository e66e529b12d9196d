//! The IAM policy a function runs under, as flat `Allow` statements of action and resource
//! patterns, and the check whether it allows one call.
//!
//! Invariant: never evaluates what it cannot evaluate exactly: a `Deny`, `NotAction`,
//! `NotResource`, `NotPrincipal`, a permissions boundary or an unknown managed policy is an
//! error. `Condition` blocks are not evaluated: a conditional statement counts as allowing
//! (and says so in [`Statement::conditional`]).

use serde_yaml_ng::Value;

use crate::error::TemplateError;
use crate::intrinsics::{Resolver, referenced_logical_id, scalar_string};
use crate::managed_policies::managed_policy;
use crate::{ResolveContext, Template};

/// Every `Allow` statement of one role: inline policies, attached `AWS::IAM::Policy` resources
/// and managed policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePolicy {
    /// The logical id of the `AWS::IAM::Role`.
    pub role_logical_id: String,
    /// The statements in template order: inline, attached, then managed.
    pub statements: Vec<Statement>,
}

/// One `Allow` statement with its intrinsics resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Where it comes from: `<Role>/<PolicyName>/<statement index from 0>` or
    /// `<Role>/managed/<PolicyName>`.
    pub label: String,
    /// Action patterns (`service:Action`, `*` and `?` wildcards, case-insensitive).
    pub actions: Vec<String>,
    /// Resource ARN patterns (`*` and `?` wildcards).
    pub resources: Vec<String>,
    /// Whether the statement has a `Condition` block (not evaluated).
    pub conditional: bool,
}

impl RolePolicy {
    /// The first statement whose action and resource patterns both match, `None` if nothing
    /// allows the call.
    pub fn allowing(&self, action: &str, resource: &str) -> Option<&Statement> {
        self.statements
            .iter()
            .find(|statement| statement.allows(action, resource))
    }
}

impl Statement {
    /// Whether one action pattern matches `action` and one resource pattern matches `resource`.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        let action = action.to_ascii_lowercase();
        self.actions
            .iter()
            .any(|pattern| glob_match(&pattern.to_ascii_lowercase(), &action))
            && self
                .resources
                .iter()
                .any(|pattern| glob_match(pattern, resource))
    }
}

/// IAM wildcard matching: `*` matches any run of characters (also none), `?` exactly one.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            last_star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = last_star {
            p = star_p + 1;
            t = star_t + 1;
            last_star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

impl Template {
    /// The IAM policy of the role a function runs under (`Properties.Role: !GetAtt XRole.Arn`),
    /// intrinsics resolved under `context`.
    pub fn function_role(
        &self,
        function_logical_id: &str,
        context: &ResolveContext,
    ) -> Result<RolePolicy, TemplateError> {
        if self.resource_type(function_logical_id) != Some("AWS::Serverless::Function") {
            return Err(TemplateError::NotAFunction(function_logical_id.to_owned()));
        }
        let not_in_template = |reason: &str| TemplateError::RoleNotInTemplate {
            function: function_logical_id.to_owned(),
            reason: reason.to_owned(),
        };
        let role_value = self
            .function_property(function_logical_id, "Role")
            .ok_or_else(|| not_in_template("no Role (SAM would generate one)"))?;
        let role_logical_id = match referenced_logical_id(role_value) {
            Some((logical_id, Some("Arn"))) => logical_id,
            _ => return Err(not_in_template("Role is not !GetAtt <Role>.Arn")),
        };
        if self.resource_type(role_logical_id) != Some("AWS::IAM::Role") {
            return Err(not_in_template(&format!(
                "{role_logical_id} is not an AWS::IAM::Role"
            )));
        }
        let resolver = Resolver {
            root: &self.root,
            context,
        };
        let role_properties = self
            .resource(role_logical_id)
            .and_then(|role| role.get("Properties"));
        let property = |name: &str| role_properties.and_then(|properties| properties.get(name));
        if property("PermissionsBoundary").is_some() {
            return Err(TemplateError::UnsupportedPolicy {
                label: role_logical_id.to_owned(),
                reason: "a permissions boundary".to_owned(),
            });
        }

        let mut statements = Vec::new();
        if let Some(policies) = property("Policies") {
            let policies = resolver
                .resolve(policies)?
                .unwrap_or(Value::Sequence(Vec::new()));
            for policy in policies.as_sequence().into_iter().flatten() {
                push_policy(&mut statements, role_logical_id, policy)?;
            }
        }
        for (logical_id, resource) in self.resources() {
            let attached = match resource.get("Type").and_then(Value::as_str) {
                Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => "Roles",
                Some("AWS::IAM::RolePolicy") => "RoleName",
                _ => continue,
            };
            let Some(properties) = resource.get("Properties") else {
                continue;
            };
            let targets = properties.get(attached);
            let names_role = |value: &Value| matches!(referenced_logical_id(value), Some((id, None)) if id == role_logical_id);
            let attaches = match targets {
                Some(Value::Sequence(items)) => items.iter().any(names_role),
                Some(value) => names_role(value),
                None => false,
            };
            if attaches {
                let resolved = resolver.resolve(properties)?.unwrap_or(Value::Null);
                let mut policy = resolved.clone();
                if let Value::Mapping(mapping) = &mut policy
                    && !mapping.contains_key("PolicyName")
                {
                    mapping.insert(Value::from("PolicyName"), Value::from(logical_id));
                }
                push_policy(&mut statements, role_logical_id, &policy)?;
            }
        }
        if let Some(arns) = property("ManagedPolicyArns") {
            let arns = resolver
                .resolve(arns)?
                .unwrap_or(Value::Sequence(Vec::new()));
            for arn in arns.as_sequence().into_iter().flatten() {
                let arn = scalar_string(arn).ok_or_else(|| {
                    malformed(role_logical_id, "a managed policy ARN is not a string")
                })?;
                let policy = managed_policy(&arn, &context.partition)
                    .ok_or(TemplateError::UnknownManagedPolicy(arn.clone()))?;
                statements.push(Statement {
                    label: format!("{role_logical_id}/managed/{}", policy.name()),
                    actions: policy.actions.iter().map(|a| (*a).to_owned()).collect(),
                    resources: policy.resources.iter().map(|r| (*r).to_owned()).collect(),
                    conditional: false,
                });
            }
        }
        Ok(RolePolicy {
            role_logical_id: role_logical_id.to_owned(),
            statements,
        })
    }
}

/// Appends the statements of one resolved `{PolicyName, PolicyDocument}`.
fn push_policy(
    statements: &mut Vec<Statement>,
    role_logical_id: &str,
    policy: &Value,
) -> Result<(), TemplateError> {
    let policy_name = policy
        .get("PolicyName")
        .and_then(scalar_string)
        .ok_or_else(|| malformed(role_logical_id, "a policy has no PolicyName"))?;
    let document_statements = policy
        .get("PolicyDocument")
        .and_then(|document| document.get("Statement"))
        .ok_or_else(|| malformed(role_logical_id, "a policy has no PolicyDocument.Statement"))?;
    let document_statements = match document_statements {
        Value::Sequence(items) => items.clone(),
        single => vec![single.clone()],
    };
    for (statement_idx, statement) in document_statements.iter().enumerate() {
        let label = format!("{role_logical_id}/{policy_name}/{statement_idx}");
        statements.push(parse_statement(label, statement)?);
    }
    Ok(())
}

fn parse_statement(label: String, statement: &Value) -> Result<Statement, TemplateError> {
    let unsupported = |reason: &str| TemplateError::UnsupportedPolicy {
        label: label.clone(),
        reason: reason.to_owned(),
    };
    for key in ["NotAction", "NotResource", "NotPrincipal"] {
        if statement.get(key).is_some() {
            return Err(unsupported(key));
        }
    }
    match statement.get("Effect").and_then(Value::as_str) {
        Some("Allow") => {}
        Some("Deny") => return Err(unsupported("a Deny statement")),
        _ => return Err(malformed(&label, "Effect is neither Allow nor Deny")),
    }
    let strings = |key: &str| -> Result<Vec<String>, TemplateError> {
        match statement.get(key) {
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|item| {
                    scalar_string(item)
                        .ok_or_else(|| malformed(&label, &format!("{key} item is not a string")))
                })
                .collect(),
            Some(value) => scalar_string(value)
                .map(|single| vec![single])
                .ok_or_else(|| malformed(&label, &format!("{key} is not a string"))),
            None => Err(malformed(&label, &format!("no {key}"))),
        }
    };
    Ok(Statement {
        actions: strings("Action")?,
        resources: strings("Resource")?,
        conditional: statement.get("Condition").is_some(),
        label,
    })
}

fn malformed(label: &str, message: &str) -> TemplateError {
    TemplateError::Malformed(format!("{label}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_any_run_and_a_question_mark_one_character() {
        assert!(glob_match(
            "arn:aws:sqs:*:123:*",
            "arn:aws:sqs:eu-west-1:123:q"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYbc"));
        assert!(glob_match("s3:Get?bject", "s3:GetObject"));
        assert!(!glob_match("s3:Get?bject", "s3:Getbject"));
        assert!(!glob_match(
            "arn:aws:s3:::*/data/*",
            "arn:aws:s3:::bucket/uploads/x"
        ));
        assert!(glob_match(
            "arn:aws:s3:::*/data/*",
            "arn:aws:s3:::bucket/data/x"
        ));
        assert!(!glob_match("abc", "abcd"));
    }

    #[test]
    fn actions_match_case_insensitively_and_resources_case_sensitively() {
        let statement = Statement {
            label: "R/p/0".to_owned(),
            actions: vec!["S3:get*".to_owned()],
            resources: vec!["arn:aws:s3:::Bucket/*".to_owned()],
            conditional: false,
        };

        assert!(statement.allows("s3:GetObject", "arn:aws:s3:::Bucket/key"));
        assert!(!statement.allows("s3:GetObject", "arn:aws:s3:::bucket/key"));
        assert!(!statement.allows("s3:PutObject", "arn:aws:s3:::Bucket/key"));
    }
}
