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

/**
 * A production alarm that treats missing data as breaching alarms on at least 2 datapoints:
 * CloudWatch fills a missing datapoint with the treatment when too few real ones are left in
 * its evaluation range, so at 1 datapoint one late or lost datapoint pages (CloudWatch User
 * Guide, "Configuring how CloudWatch alarms treat missing data").
 */
export const breachingAlarmMofN = productionRule(ALARM, {
  name: "alarm-breaching-m-of-n",
  description: "Production alarms that treat missing data as breaching need at least 2 datapoints to alarm",
  reads: ["treatMissingData", "datapointsToAlarm", "evaluationPeriods"],
  required: "datapointsToAlarm (unset means evaluationPeriods) >= 2 when treatMissingData is breaching",
  anchors: [],
  check(props) {
    if (props.treatMissingData !== "breaching") return [];
    const datapoints = props.datapointsToAlarm ?? props.evaluationPeriods;
    if (typeof datapoints === "number" && datapoints >= 2) return [];
    return [
      `treatMissingData is breaching with datapointsToAlarm ${datapoints ?? "unset"} of evaluationPeriods ${props.evaluationPeriods ?? "unset"}: ` +
        "one late or lost datapoint pages; alarm on at least 2 datapoints (M of N)",
    ];
  },
});
