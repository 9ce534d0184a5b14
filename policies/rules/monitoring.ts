// Production invariants of logs and alarms.
import { productionRule } from "../rule";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export const logRetention = productionRule(LOG_GROUP, {
  name: "log-group-retention",
  description: "Production log groups keep logs for a set time",
  reads: ["retentionInDays"],
  required: "set (> 0)",
  anchors: ["Checkov CKV_AWS_66"],
  check(props) {
    const days = props.retentionInDays;
    if (typeof days === "number" && days > 0) return [];
    return [`retentionInDays is ${days ?? "unset"}; production log groups set a retention`];
  },
});

export const alarmActions = productionRule(ALARM, {
  name: "alarm-actions",
  description: "Production alarms notify someone",
  reads: ["actionsEnabled", "alarmActions"],
  required: "enabled, with at least one action",
  anchors: ["Checkov CKV_AWS_319", "cdk-nag CloudWatchAlarmAction (NIST 800-53 and HIPAA packs)"],
  check(props) {
    const actions: string[] = props.alarmActions ?? [];
    if (props.actionsEnabled !== false && actions.length > 0) return [];
    return [`actionsEnabled is ${props.actionsEnabled ?? "unset"} with ${actions.length} alarm action(s); a production alarm must notify someone`];
  },
});
