//! The one error type of the crate: what in the template could not be read or evaluated.
//!
//! Invariant: a construct the crate cannot evaluate exactly (a `Deny`, a `NotAction`, an unknown
//! managed policy or intrinsic) is an error, never a silent guess.

use std::path::PathBuf;

/// What went wrong while reading or evaluating a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template file could not be read.
    #[error("read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The text is not YAML (or JSON).
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// The template, or a part of it, does not have the shape CloudFormation requires.
    #[error("malformed template: {0}")]
    Malformed(String),
    /// A YAML tag that is no CloudFormation intrinsic.
    #[error("unknown YAML tag !{0}")]
    UnknownTag(String),
    /// An intrinsic function this crate does not evaluate.
    #[error("intrinsic {0} is not supported")]
    UnsupportedIntrinsic(String),
    /// A `Ref`, `Fn::GetAtt` or `${...}` names nothing in the template.
    #[error("reference to unknown name {0}")]
    UnknownReference(String),
    /// A parameter used by the evaluated part has neither a `Default` nor an override.
    #[error("parameter {0} has no Default and no override")]
    ParameterWithoutValue(String),
    /// `Fn::If` or `Condition` names a condition that is not in `Conditions`.
    #[error("unknown condition {0}")]
    UnknownCondition(String),
    /// The logical id is not an `AWS::Serverless::Function` of the template.
    #[error("{0} is not an AWS::Serverless::Function of the template")]
    NotAFunction(String),
    /// The function does not run under a role defined in the template.
    #[error("function {function}: {reason}")]
    RoleNotInTemplate { function: String, reason: String },
    /// A managed policy ARN missing from the built-in table.
    #[error("managed policy {0} is not in the built-in table")]
    UnknownManagedPolicy(String),
    /// A policy construct whose evaluation is not implemented (`Deny`, `NotAction`, ...).
    #[error("{label}: {reason} is not evaluated")]
    UnsupportedPolicy { label: String, reason: String },
}
