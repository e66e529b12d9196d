//! The AWS managed policies the template attaches, as data: the statements each grants.
//!
//! Invariant: a managed policy missing from this table is an error for the caller, never an
//! empty grant.

/// One AWS managed policy: its ARN path after `arn:<partition>:iam::aws:policy/` and its one
/// `Allow` statement.
pub(crate) struct ManagedPolicy {
    pub(crate) path: &'static str,
    pub(crate) actions: &'static [&'static str],
    pub(crate) resources: &'static [&'static str],
}

impl ManagedPolicy {
    /// The policy name: the last segment of the path.
    pub(crate) fn name(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

const MANAGED_POLICIES: &[ManagedPolicy] = &[
    ManagedPolicy {
        path: "service-role/AWSLambdaBasicExecutionRole",
        actions: &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
        resources: &["*"],
    },
    ManagedPolicy {
        path: "service-role/AWSLambdaVPCAccessExecutionRole",
        actions: &[
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
        resources: &["*"],
    },
    ManagedPolicy {
        path: "service-role/AWSLambdaSQSQueueExecutionRole",
        actions: &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
        resources: &["*"],
    },
    ManagedPolicy {
        path: "AWSXRayDaemonWriteAccess",
        actions: &[
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:GetSamplingStatisticSummaries",
        ],
        resources: &["*"],
    },
];

/// The managed policy of `arn` (`arn:<partition>:iam::aws:policy/<path>`), if the table has it.
pub(crate) fn managed_policy(arn: &str, partition: &str) -> Option<&'static ManagedPolicy> {
    let path = arn.strip_prefix(&format!("arn:{partition}:iam::aws:policy/"))?;
    MANAGED_POLICIES.iter().find(|policy| policy.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vpc_access_policy_is_found_by_its_arn_in_the_partition() {
        let arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

        let policy = managed_policy(arn, "aws").unwrap();

        assert_eq!(policy.name(), "AWSLambdaVPCAccessExecutionRole");
        assert!(policy.actions.contains(&"ec2:CreateNetworkInterface"));
        assert!(managed_policy(arn, "aws-cn").is_none());
    }
}
