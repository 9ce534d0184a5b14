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
});
