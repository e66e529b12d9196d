//! The statements of a role and IAM's matching of an action and resource against them.

use serde_yaml_ng::Value;

use crate::intrinsics::Resolver;
use crate::{TemplateError, shape};

/// The managed policies a role may name, with what they allow (all on `*`).
const MANAGED_POLICIES: &[(&str, &[&str])] = &[
    (
        "AWSLambdaVPCAccessExecutionRole",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        ],
    ),
    (
        "AWSLambdaBasicExecutionRole",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
];

/// One Allow statement of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `<role>/<policy>/<index>`, or `<role>/managed/<policy>`.
    pub label: String,
    /// Action patterns, e.g. `states:SendTask*`.
    pub actions: Vec<String>,
    /// Resource ARN patterns, intrinsics resolved.
    pub resources: Vec<String>,
}

/// Every Allow statement of one role.
#[derive(Debug, Clone)]
pub struct RolePolicy {
    /// Logical id of the role.
    pub role_logical_id: String,
    /// Its statements, inline policies first.
    pub statements: Vec<Statement>,
}

impl RolePolicy {
    /// The first statement allowing `action` on `resource`, or `None`.
    pub fn allowing(&self, action: &str, resource: &str) -> Option<&Statement> {
        self.statements.iter().find(|statement| {
            statement.actions.iter().any(|pattern| {
                glob_matches(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase())
            }) && statement
                .resources
                .iter()
                .any(|pattern| glob_matches(pattern, resource))
        })
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&character| character == '*')
}

/// The statements of `role` (an `AWS::IAM::Role` resource).
pub(crate) fn role_policy(
    role_logical_id: &str,
    role: &Value,
    resolver: &Resolver<'_>,
) -> Result<RolePolicy, TemplateError> {
    let properties = role
        .get("Properties")
        .ok_or_else(|| shape(format!("{role_logical_id} has no Properties")))?;
    let mut statements = Vec::new();
    for policy in properties
        .get("Policies")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let policy_name = policy
            .get("PolicyName")
            .map(|name| resolver.resolve_string(name))
            .transpose()?
            .unwrap_or_default();
        let document = policy
            .get("PolicyDocument")
            .ok_or_else(|| shape(format!("{role_logical_id}/{policy_name} has no document")))?;
        let Some(document) = resolver.resolve(document)? else {
            continue;
        };
        for (index, statement) in document
            .get("Statement")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let label = format!("{role_logical_id}/{policy_name}/{index}");
            statements.push(statement_of(&label, statement)?);
        }
    }
    for managed in properties
        .get("ManagedPolicyArns")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let arn = resolver.resolve_string(managed)?;
        let name = arn.rsplit('/').next().unwrap_or_default();
        let (_, actions) = MANAGED_POLICIES
            .iter()
            .find(|(known, _)| *known == name)
            .ok_or_else(|| {
                shape(format!(
                    "{role_logical_id}: managed policy {arn} is not known"
                ))
            })?;
        statements.push(Statement {
            label: format!("{role_logical_id}/managed/{name}"),
            actions: actions.iter().map(|action| (*action).to_owned()).collect(),
            resources: vec!["*".to_owned()],
        });
    }
    Ok(RolePolicy {
        role_logical_id: role_logical_id.to_owned(),
        statements,
    })
}

fn statement_of(label: &str, statement: &Value) -> Result<Statement, TemplateError> {
    for unsupported in ["NotAction", "NotResource", "NotPrincipal"] {
        if statement.get(unsupported).is_some() {
            return Err(shape(format!("{label}: {unsupported} is not evaluated")));
        }
    }
    match statement.get("Effect").and_then(Value::as_str) {
        Some("Allow") => {}
        other => return Err(shape(format!("{label}: Effect {other:?} is not evaluated"))),
    }
    let strings = |field: &str| -> Result<Vec<String>, TemplateError> {
        match statement.get(field) {
            Some(Value::String(text)) => Ok(vec![text.clone()]),
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| shape(format!("{label}: {field} holds {item:?}")))
                })
                .collect(),
            other => Err(shape(format!("{label}: {field} is {other:?}"))),
        }
    };
    Ok(Statement {
        label: label.to_owned(),
        actions: strings("Action")?,
        resources: strings("Resource")?,
    })
}
