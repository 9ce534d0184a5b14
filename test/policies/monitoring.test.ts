// In-process tests of the log group and alarm rules.
import * as monitoring from "../../policies/rules/monitoring";
import { describeResourceRule } from "./harness";

const topic = "arn:aws:sns:us-east-1:123456789012:trading-bot-alerts-critical";

describe("CloudWatch rules, in-process", () => {
  describeResourceRule(monitoring.logRetention, {
    cases: [
      { what: "1 day", props: { retentionInDays: 1 }, expect: [] },
      { what: "90 days", props: { retentionInDays: 90 }, expect: [] },
      { what: "0 (never expire)", props: { retentionInDays: 0 }, expect: ["retentionInDays is 0; production log groups set a retention"] },
      { what: "unset (never expire)", props: {}, expect: ["retentionInDays is unset; production log groups set a retention"] },
      { what: 'a retention that is not a number ("90")', props: { retentionInDays: "90" }, expect: ["retentionInDays is 90; production log groups set a retention"] },
    ],
    unknown: [{ path: "retentionInDays", props: { retentionInDays: 90 } }],
  });

  describeResourceRule(monitoring.alarmActions, {
    cases: [
      { what: "enabled with one action", props: { actionsEnabled: true, alarmActions: [topic] }, expect: [] },
      { what: "actionsEnabled unset (AWS's true) with one action", props: { alarmActions: [topic] }, expect: [] },
      { what: "disabled actions", props: { actionsEnabled: false, alarmActions: [topic] },
        expect: ["actionsEnabled is false with 1 alarm action(s); a production alarm must notify someone"] },
      { what: "no action", props: { actionsEnabled: true, alarmActions: [] },
        expect: ["actionsEnabled is true with 0 alarm action(s); a production alarm must notify someone"] },
      { what: "no alarmActions at all", props: {}, expect: ["actionsEnabled is unset with 0 alarm action(s); a production alarm must notify someone"] },
    ],
    unknown: [
      { path: "alarmActions", props: { actionsEnabled: true, alarmActions: [topic] } },
      { path: "actionsEnabled", props: { actionsEnabled: true, alarmActions: [topic] } },
    ],
  });

  const oneLate = "one late or lost datapoint pages; alarm on at least 2 datapoints (M of N)";
  describeResourceRule(monitoring.breachingAlarmMofN, {
    cases: [
      { what: "breaching, 2 of 3", props: { treatMissingData: "breaching", datapointsToAlarm: 2, evaluationPeriods: 3 }, expect: [] },
      { what: "breaching, datapointsToAlarm unset with 5 periods (5 of 5)", props: { treatMissingData: "breaching", evaluationPeriods: 5 }, expect: [] },
      { what: "notBreaching, 1 of 1 (a late datapoint counts as fine)", props: { treatMissingData: "notBreaching", datapointsToAlarm: 1, evaluationPeriods: 1 }, expect: [] },
      { what: "ignore, 1 of 1", props: { treatMissingData: "ignore", datapointsToAlarm: 1, evaluationPeriods: 1 }, expect: [] },
      { what: "missing data unset (missing), 1 of 1", props: { datapointsToAlarm: 1, evaluationPeriods: 1 }, expect: [] },
      { what: "breaching, 1 of 1", props: { treatMissingData: "breaching", datapointsToAlarm: 1, evaluationPeriods: 1 },
        expect: [`treatMissingData is breaching with datapointsToAlarm 1 of evaluationPeriods 1: ${oneLate}`] },
      { what: "breaching, 1 of 5", props: { treatMissingData: "breaching", datapointsToAlarm: 1, evaluationPeriods: 5 },
        expect: [`treatMissingData is breaching with datapointsToAlarm 1 of evaluationPeriods 5: ${oneLate}`] },
      { what: "breaching, datapointsToAlarm unset with 1 period", props: { treatMissingData: "breaching", evaluationPeriods: 1 },
        expect: [`treatMissingData is breaching with datapointsToAlarm 1 of evaluationPeriods 1: ${oneLate}`] },
      { what: "breaching, neither set", props: { treatMissingData: "breaching" },
        expect: [`treatMissingData is breaching with datapointsToAlarm unset of evaluationPeriods unset: ${oneLate}`] },
    ],
    unknown: [
      { path: "treatMissingData", props: { treatMissingData: "breaching", datapointsToAlarm: 2, evaluationPeriods: 3 } },
      { path: "datapointsToAlarm", props: { treatMissingData: "breaching", datapointsToAlarm: 2, evaluationPeriods: 3 } },
      { path: "evaluationPeriods", props: { treatMissingData: "breaching", evaluationPeriods: 3 } },
    ],
  });
});
