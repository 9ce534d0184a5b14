// Production invariants of logs and alarms.
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
