// Production invariants of the ElastiCache replication group.
import { isTrue, productionRule } from "../rule";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

export const clusterMode = productionRule(GROUP, {
  name: "elasticache-cluster-mode",
  description: "The production cache runs in cluster mode",
  reads: ["clusterMode"],
  required: "enabled",
  anchors: [],
  check: (props) =>
    props.clusterMode === "enabled" ? [] : [`clusterMode is ${props.clusterMode ?? "unset"}; production runs Redis in cluster mode`],
});

export const automaticFailover = productionRule(GROUP, {
  name: "elasticache-automatic-failover",
  description: "A failed production cache primary is replaced by its replica",
  reads: ["automaticFailoverEnabled"],
  required: "true",
  anchors: [],
  check: (props) =>
    isTrue(props.automaticFailoverEnabled)
      ? []
      : [`automaticFailoverEnabled is ${props.automaticFailoverEnabled ?? "unset"}; a failed primary must fail over to its replica`],
});

export const multiAz = productionRule(GROUP, {
  name: "elasticache-multi-az",
  description: "The production cache keeps replicas in other AZs",
  reads: ["multiAzEnabled"],
  required: "true",
  anchors: ["cdk-nag AwsSolutions-AEC4"],
  check: (props) =>
    isTrue(props.multiAzEnabled) ? [] : [`multiAzEnabled is ${props.multiAzEnabled ?? "unset"}; production keeps replicas in another AZ`],
});

export const encryption = productionRule(GROUP, {
  name: "elasticache-encryption",
  description: "The production cache encrypts in transit and at rest",
  reads: ["transitEncryptionEnabled", "atRestEncryptionEnabled"],
  required: 'true (or "true") for both',
  anchors: ["cdk-nag AwsSolutions-AEC3", "Checkov CKV_AWS_29", "Checkov CKV_AWS_30"],
  check: (props) =>
    isTrue(props.transitEncryptionEnabled) && isTrue(props.atRestEncryptionEnabled)
      ? []
      : [
          `transitEncryptionEnabled is ${props.transitEncryptionEnabled ?? "unset"} and atRestEncryptionEnabled is ${props.atRestEncryptionEnabled ?? "unset"}; production encrypts both`,
        ],
});

export const authentication = productionRule(GROUP, {
  name: "elasticache-auth",
  description: "Clients of the production cache authenticate",
  reads: ["authToken", "userGroupIds"],
  required: "an auth token or a user group",
  anchors: ["cdk-nag AwsSolutions-AEC6", "Checkov CKV_AWS_31"],
  // The token's value is a secret: only its presence is read, never printed.
  check: (props) =>
    (typeof props.authToken === "string" && props.authToken.length > 0) || (props.userGroupIds ?? []).length > 0
      ? []
      : ["neither authToken nor userGroupIds is set; production clients must authenticate"],
});

export const snapshots = productionRule(GROUP, {
  name: "elasticache-snapshots",
  description: "The production cache keeps daily snapshots",
  reads: ["snapshotRetentionLimit"],
  required: ">= 1 day",
  anchors: ["Checkov CKV_AWS_134"],
  config: { minimumDays: { type: "integer", default: 1, minimum: 1, maximum: 35 } },
  check(props, { config }) {
    const days = props.snapshotRetentionLimit;
    if (typeof days === "number" && days >= config.minimumDays) return [];
    return [`snapshotRetentionLimit is ${days ?? "unset"}; production keeps at least ${config.minimumDays} day(s) of snapshots`];
  },
});
