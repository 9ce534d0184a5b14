// In-process tests of what non-production stacks must respect.
import * as nonProduction from "../../policies/rules/nonProduction";
import { botWith, describeResourceRule, taskWith } from "./harness";

const devTask = taskWith(botWith({ ENVIRONMENT: "development", BYBIT_TESTNET: "true" }));
/** The bot with `variable` set once per value, in order (ECS documents no winner). */
const botSetting = (variable: string, ...values: string[]) => ({ ...botWith({}), environment: values.map((value) => ({ name: variable, value })) });
const setTwice = (variable: string, values: string[]) =>
  `container trading-bot sets ${variable} ${values.length} times (${values.map((value) => JSON.stringify(value)).join(", ")}); ECS passes one of them to the container, and which is not documented: set it once`;

describe("non-production rules, in-process", () => {
  const live = (value: string) => [`container trading-bot has BYBIT_TESTNET=${value}; outside production the bot must trade on testnet (BYBIT_TESTNET=true)`];
  describeResourceRule(nonProduction.testnetOnly, {
    cases: [
      { what: "BYBIT_TESTNET=true", props: devTask, expect: [] },
      ...["TRUE", "True"].map((value) => ({ what: `BYBIT_TESTNET=${value}`, props: taskWith(botWith({ BYBIT_TESTNET: value })), expect: [] })),
      // Spellings the app may read as true still fail: only "true" is sure to mean testnet.
      ...["false", "False", "0", "1", "yes", "on", "", " true"].map((value) => ({
        what: `BYBIT_TESTNET=${JSON.stringify(value)}`, props: taskWith(botWith({ BYBIT_TESTNET: value })), expect: live(value),
      })),
      { what: "no BYBIT_TESTNET", props: taskWith(botWith({})), expect: live("unset") },
      { what: "BYBIT_TESTNET set twice, true then false", props: taskWith(botSetting("BYBIT_TESTNET", "true", "false")), expect: [setTwice("BYBIT_TESTNET", ["true", "false"])] },
      { what: "BYBIT_TESTNET set twice, true both times", props: taskWith(botSetting("BYBIT_TESTNET", "true", "true")), expect: [setTwice("BYBIT_TESTNET", ["true", "true"])] },
      { what: "a task definition without the bot", props: taskWith(botWith({}, { name: "a" }), botWith({}, { name: "b" })), expect: [] },
      { what: "the bot under a configured name", props: taskWith(botWith({ BYBIT_TESTNET: "false" }, { name: "bot" }), botWith({}, { name: "other" })),
        config: { botContainerName: "bot" },
        expect: ["container bot has BYBIT_TESTNET=false; outside production the bot must trade on testnet (BYBIT_TESTNET=true)"] },
    ],
    unknown: [{ path: "containerDefinitions", props: devTask }],
  });

  const production = (value: string) => [
    `container trading-bot has ENVIRONMENT=${value}: only development or staging make a stack non-production, so this stack is production ` +
      "but the policy pack was not told, and no production rule guards it; make it production for every policy: npm run policy-config -- <this stack> > policy-config.json, then --policy-pack-config policy-config.json",
  ];
  describeResourceRule(nonProduction.environmentNotProduction, {
    cases: [
      ...["development", "staging"].map((value) => ({
        what: `ENVIRONMENT=${value}`, props: taskWith(botWith({ ENVIRONMENT: value })), expect: [],
      })),
      // Production by allow-list (packages/stack-files/src/production.ts): anything but plainly development or staging.
      { what: "no ENVIRONMENT", props: taskWith(botWith({})), expect: production("unset") },
      ...["production", "Production", "PRODUCTION", "dev", "prod", "productionish", "Development"].map((value) => ({
        what: `ENVIRONMENT=${value}`, props: taskWith(botWith({ ENVIRONMENT: value })), expect: production(value),
      })),
      { what: "ENVIRONMENT=staging with a leading space", props: taskWith(botWith({ ENVIRONMENT: " staging" })), expect: production(" staging") },
      { what: "an empty ENVIRONMENT", props: taskWith(botWith({ ENVIRONMENT: "" })), expect: production("") },
      { what: "ENVIRONMENT set twice, development then production", props: taskWith(botSetting("ENVIRONMENT", "development", "production")),
        expect: [setTwice("ENVIRONMENT", ["development", "production"])] },
      { what: "ENVIRONMENT=development and a secret named ENVIRONMENT", props: taskWith({ ...botWith({ ENVIRONMENT: "development" }), secrets: [{ name: "ENVIRONMENT", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/env" }] }),
        expect: ['container trading-bot sets ENVIRONMENT 2 times ("development", a secret); ECS passes one of them to the container, and which is not documented: set it once'] },
      { what: "a task definition without the bot", props: taskWith(botWith({ ENVIRONMENT: "production" }, { name: "a" }), botWith({}, { name: "b" })), expect: [] },
    ],
    unknown: [{ path: "containerDefinitions", props: devTask }],
  });

  const cost = (strategy: string) => [`natGateways.strategy is ${strategy}; each NAT gateway costs about 33 USD a month: use None or Single outside production`];
  describeResourceRule(nonProduction.natGatewayCost, {
    cases: [
      { what: "None", props: { natGateways: { strategy: "None" } }, expect: [] },
      { what: "Single", props: { natGateways: { strategy: "Single" } }, expect: [] },
      { what: "OnePerAz", props: { natGateways: { strategy: "OnePerAz" } }, expect: cost("OnePerAz") },
      { what: "no strategy (awsx's OnePerAz)", props: { natGateways: {} }, expect: cost("unset (awsx makes one per AZ)") },
      { what: "no natGateways", props: {}, expect: cost("unset (awsx makes one per AZ)") },
    ],
    unknown: [
      { path: "natGateways", props: { natGateways: { strategy: "None" } } },
      { path: "natGateways.strategy", props: { natGateways: { strategy: "None" } } },
    ],
  });
});
