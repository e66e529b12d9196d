//! The IAM audit: every AWS call a process recorded (`ANALYST_AWS_CALL_LOG`) checked against the
//! statements of the role its function runs under in `infra/template.yaml`.
//!
//! Invariant: a call no statement allows fails the audit; statements no call used are listed,
//! not failed (a run does not take every path).

use std::collections::BTreeSet;
use std::path::PathBuf;

use aws_call_log::{iam, read_call_log};
use infra_template::{ResolveContext, Template};

use crate::aws_moto::REGION;

/// Account id moto puts in every ARN.
pub(crate) const MOTO_ACCOUNT: &str = "123456789012";

/// One process of a run and the template function whose role it stands for.
pub(crate) struct AuditedProcess {
    /// Logical id of the function in the template, e.g. `ClassifyFunction`.
    pub(crate) function: &'static str,
    /// Its call log.
    pub(crate) log: PathBuf,
}

/// What the audit found.
#[derive(Debug, Default)]
pub(crate) struct AuditReport {
    /// `function: action on resource` for each call no statement allows.
    pub(crate) denied: Vec<String>,
    /// `function: statement` for each statement no call used.
    pub(crate) unused: Vec<String>,
    /// Number of calls checked.
    pub(crate) calls: usize,
    /// `function: action ×count, …` for each process, for the test's output.
    pub(crate) actions: Vec<String>,
}

/// Audits `processes` against the repository's template.
pub(crate) fn audit(processes: &[AuditedProcess]) -> AuditReport {
    let template = Template::load_repo().expect("infra/template.yaml parses");
    let context = ResolveContext::new(REGION, MOTO_ACCOUNT);
    let account = iam::Account {
        partition: "aws".to_owned(),
        region: REGION.to_owned(),
        account: MOTO_ACCOUNT.to_owned(),
    };
    let mut report = AuditReport::default();
    for process in processes {
        let role = template
            .function_role(process.function, &context)
            .unwrap_or_else(|error| panic!("role of {}: {error}", process.function));
        let calls = read_call_log(&process.log).unwrap();
        let mut used = BTreeSet::new();
        let mut counted: std::collections::BTreeMap<String, usize> = Default::default();
        for call in &calls {
            let action = iam::action(call);
            *counted.entry(action.clone()).or_default() += 1;
            let resource = iam::resource(call, &account);
            match role.allowing(&action, &resource) {
                Some(statement) => {
                    used.insert(statement.label.clone());
                }
                None => report
                    .denied
                    .push(format!("{}: {action} on {resource}", process.function)),
            }
        }
        report.calls += calls.len();
        let counts: Vec<String> = counted
            .iter()
            .map(|(action, count)| format!("{action} ×{count}"))
            .collect();
        report
            .actions
            .push(format!("{}: {}", process.function, counts.join(", ")));
        report.unused.extend(
            role.statements
                .iter()
                .filter(|statement| !used.contains(&statement.label))
                .map(|statement| format!("{}: {}", process.function, statement.label)),
        );
    }
    report.denied.sort();
    report.denied.dedup();
    report
}
