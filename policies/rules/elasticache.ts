// Production invariants of the ElastiCache replication group.
import { ResourceRule, isTrue } from "../rule";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

function cacheRule(
  name: string,
  description: string,
  property: string,
  required: string,
  anchors: string[],
  ok: (props: Record<string, any>) => boolean,
  message: (props: Record<string, any>) => string,
): ResourceRule {
  return {
    kind: "resource",
    name,
    description,
    scope: "production",
    enforcementLevel: "mandatory",
    resource: GROUP,
    types: [GROUP],
    property,
    required,
    anchors,
    check: (props) => (ok(props) ? [] : [message(props)]),
  };
}

export const clusterMode = cacheRule(
  "elasticache-cluster-mode",
  "The production cache runs in cluster mode",
  "clusterMode",
  "enabled",
  [],
  (props) => props.clusterMode === "enabled",
  (props) => `clusterMode is ${props.clusterMode ?? "unset"}; production runs Redis in cluster mode`,
);

export const automaticFailover = cacheRule(
  "elasticache-automatic-failover",
  "A failed production cache primary is replaced by its replica",
  "automaticFailoverEnabled",
  "true",
  [],
  (props) => isTrue(props.automaticFailoverEnabled),
  (props) => `automaticFailoverEnabled is ${props.automaticFailoverEnabled ?? "unset"}; a failed primary must fail over to its replica`,
);

export const multiAz = cacheRule(
  "elasticache-multi-az",
  "The production cache keeps replicas in other AZs",
  "multiAzEnabled",
  "true",
  ["cdk-nag AwsSolutions-AEC4"],
  (props) => isTrue(props.multiAzEnabled),
  (props) => `multiAzEnabled is ${props.multiAzEnabled ?? "unset"}; production keeps replicas in another AZ`,
);

export const encryption = cacheRule(
  "elasticache-encryption",
  "The production cache encrypts in transit and at rest",
  "transitEncryptionEnabled, atRestEncryptionEnabled",
  "true (or \"true\") for both",
  ["cdk-nag AwsSolutions-AEC3", "Checkov CKV_AWS_29", "Checkov CKV_AWS_30"],
  (props) => isTrue(props.transitEncryptionEnabled) && isTrue(props.atRestEncryptionEnabled),
  (props) =>
    `transitEncryptionEnabled is ${props.transitEncryptionEnabled ?? "unset"} and atRestEncryptionEnabled is ${props.atRestEncryptionEnabled ?? "unset"}; production encrypts both`,
);

export const authentication = cacheRule(
  "elasticache-auth",
  "Clients of the production cache authenticate",
  "authToken or userGroupIds",
  "an auth token or a user group",
  ["cdk-nag AwsSolutions-AEC6", "Checkov CKV_AWS_31"],
  (props) => (typeof props.authToken === "string" && props.authToken.length > 0) || (props.userGroupIds ?? []).length > 0,
  () => "neither authToken nor userGroupIds is set; production clients must authenticate",
);

export const snapshots: ResourceRule = {
  kind: "resource",
  name: "elasticache-snapshots",
  description: "The production cache keeps daily snapshots",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: GROUP,
  types: [GROUP],
  property: "snapshotRetentionLimit",
  required: ">= 1 day",
  anchors: ["Checkov CKV_AWS_134"],
  config: { minimumDays: { type: "integer", default: 1, minimum: 1, maximum: 35 } },
  check(props, { config }) {
    const days = props.snapshotRetentionLimit;
    if (typeof days === "number" && days >= config.minimumDays) return [];
    return [`snapshotRetentionLimit is ${days ?? "unset"}; production keeps at least ${config.minimumDays} day(s) of snapshots`];
  },
};
