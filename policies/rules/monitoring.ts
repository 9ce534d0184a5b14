// Production invariants of logs, alarms and network exposure.
import { ResourceRule } from "../rule";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export const logRetention: ResourceRule = {
  kind: "resource",
  name: "log-group-retention",
  description: "Production log groups keep logs for a set time",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: LOG_GROUP,
  types: [LOG_GROUP],
  property: "retentionInDays",
  required: "set (> 0)",
  anchors: ["Checkov CKV_AWS_66"],
  check(props) {
    const days = props.retentionInDays;
    if (typeof days === "number" && days > 0) return [];
    return [`retentionInDays is ${days ?? "unset"}; production log groups set a retention`];
  },
};

export const alarmActions: ResourceRule = {
  kind: "resource",
  name: "alarm-actions",
  description: "Production alarms notify someone",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: ALARM,
  types: [ALARM],
  property: "actionsEnabled, alarmActions",
  required: "enabled, with at least one action",
  anchors: ["Checkov CKV_AWS_319", "cdk-nag CloudWatchAlarmAction (NIST 800-53 and HIPAA packs)"],
  check(props) {
    const actions: string[] = props.alarmActions ?? [];
    if (props.actionsEnabled !== false && actions.length > 0) return [];
    return [`actionsEnabled is ${props.actionsEnabled ?? "unset"} with ${actions.length} alarm action(s); a production alarm must notify someone`];
  },
};

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const anywhere = ["0.0.0.0/0", "::/0"];

export const noPublicIngress: ResourceRule = {
  kind: "resource",
  name: "security-group-no-public-ingress",
  description: "No production security group admits traffic from the whole internet",
  scope: "production",
  enforcementLevel: "mandatory",
  resource: [SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE].join(", "),
  types: [SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
  property: "ingress[].cidrBlocks / ipv6CidrBlocks, cidrIpv4 / cidrIpv6",
  required: "never 0.0.0.0/0 or ::/0",
  anchors: ["cdk-nag AwsSolutions-EC23", "Checkov CKV_AWS_277"],
  check(props) {
    const sources: string[] = [];
    if (props.cidrIpv4 !== undefined || props.cidrIpv6 !== undefined) {
      sources.push(props.cidrIpv4, props.cidrIpv6);
    } else if (props.type !== undefined) {
      if (props.type === "ingress") sources.push(...(props.cidrBlocks ?? []), ...(props.ipv6CidrBlocks ?? []));
    } else {
      for (const rule of props.ingress ?? []) sources.push(...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []));
    }
    const open = sources.filter((cidr) => anywhere.includes(cidr));
    return open.length === 0 ? [] : [`ingress from ${[...new Set(open)].join(" and ")}; production admits only known sources`];
  },
};
