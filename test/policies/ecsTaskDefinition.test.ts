// In-process tests of the task definition rules: every term of every pattern, every
// spelling of true, every image reference shape.
import { strict as assert } from "node:assert";
import { configSchema } from "../../policies/evaluate";
import { defaultMutableTags } from "../../policies/imageReference";
import * as task from "../../policies/rules/ecsTaskDefinition";
import { ResourceCase, botWith, describeResourceRule, runResourceRule, taskWith } from "./harness";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const prodEnvironment = {
  ENVIRONMENT: "production",
  LOG_LEVEL: "WARNING",
  ACCESS_TOKEN_EXPIRE_MINUTES: "15",
  BYBIT_TESTNET: "false",
  ENABLE_PROFILING: "false",
  ENABLE_DEBUG_TOOLBAR: "false",
  RELOAD_ON_CHANGE: "false",
  FAKE_API_RESPONSES: "false",
};
const healthCheck = { command: ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"] };
const logging = { logDriver: "awslogs" };
const bot = (environment: Record<string, string> = {}, fields: Record<string, unknown> = {}) =>
  botWith({ ...prodEnvironment, ...environment }, { healthCheck, logConfiguration: logging, ...fields });
const prodTask = taskWith(bot());

/** The cases every container rule shares: what a definition that does not parse gets. */
const unreadable: ResourceCase[] = [
  { what: "containerDefinitions that are not JSON", props: { containerDefinitions: "[{" }, expect: ["containerDefinitions is not valid JSON"] },
  { what: "containerDefinitions that are not a list", props: { containerDefinitions: "{}" }, expect: ["containerDefinitions is not a JSON list"] },
  { what: "no containerDefinitions", props: {}, expect: ["containerDefinitions is missing"] },
];
const unknownContainers = [{ path: "containerDefinitions", props: prodTask }];

describe("ECS task definition rules, in-process", () => {
  describeResourceRule(task.containerLogging, {
    cases: [
      { what: "a log driver on every container", props: taskWith(bot(), { name: "sidecar", logConfiguration: logging }), expect: [] },
      { what: "a sidecar without a log driver", props: taskWith(bot(), { name: "sidecar" }),
        expect: ["container sidecar has no logConfiguration.logDriver; its output would be lost"] },
      { what: "a log configuration without a driver", props: taskWith(bot({}, { logConfiguration: {} })),
        expect: ["container trading-bot has no logConfiguration.logDriver; its output would be lost"] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const plainSecret = (name: string, container = "trading-bot") =>
    `container ${container} sets ${name} in plain environment; pass it through secrets (valueFrom a Secrets Manager ARN)`;
  const secretNames = [
    "BYBIT_API_KEY", "api_key", "KeyId", "SECRET_KEY", "client_secret", "DB_PASSWORD", "password", "AUTH_TOKEN", "github_token",
    "DATABASE_URL", "database_url", "READ_REPLICA_DATABASE_URL", "REDIS_URL", "redis_url", "CACHE_REDIS_URL_2",
  ];
  const plainNames = ["LOG_LEVEL", "ENVIRONMENT", "DATABASE_POOL_SIZE", "REDIS_MAX_CONNECTIONS", "API_PREFIX", "API_HOST", "AWS_S3_BUCKET"];
  describeResourceRule(task.noSecretsInEnvironment, {
    cases: [
      { what: "the committed production environment", props: prodTask, expect: [] },
      ...plainNames.map((name) => ({ what: `the plain name ${name}`, props: taskWith(botWith({ [name]: "x" })), expect: [] })),
      { what: "ACCESS_TOKEN_EXPIRE_MINUTES (allowed by default)", props: taskWith(botWith({ ACCESS_TOKEN_EXPIRE_MINUTES: "15" })), expect: [] },
      ...secretNames.map((name) => ({ what: `the name ${name}`, props: taskWith(botWith({ [name]: "x" })), expect: [plainSecret(name)] })),
      { what: "access_token_expire_minutes (allowed names are exact)", props: taskWith(botWith({ access_token_expire_minutes: "15" })),
        expect: [plainSecret("access_token_expire_minutes")] },
      { what: "ACCESS_TOKEN_EXPIRE_MINUTES when the config allows no name", props: taskWith(botWith({ ACCESS_TOKEN_EXPIRE_MINUTES: "15" })), config: { allowedPlainNames: [] },
        expect: [plainSecret("ACCESS_TOKEN_EXPIRE_MINUTES")] },
      { what: "SIGNING_KEY when the config allows it", props: taskWith(botWith({ SIGNING_KEY: "public" })), config: { allowedPlainNames: ["SIGNING_KEY"] }, expect: [] },
      { what: "a secret-looking name in a sidecar", props: taskWith(bot(), botWith({ REDIS_PASSWORD: "x" }, { name: "sidecar" })),
        expect: [plainSecret("REDIS_PASSWORD", "sidecar")] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  it("ecs-task-no-secrets-in-environment reads names only: a secret's value never reaches a message", () => {
    const messages = runResourceRule(task.noSecretsInEnvironment, TASK, taskWith(botWith({ BYBIT_SECRET_KEY: "s3cr3t-value" })));
    assert.equal(messages.length, 1);
    assert.ok(!messages[0].includes("s3cr3t-value"));
  });

  describeResourceRule(task.healthCheck, {
    cases: [
      { what: "a health check command", props: prodTask, expect: [] },
      { what: "no health check", props: taskWith(bot({}, { healthCheck: undefined })),
        expect: ["container trading-bot has no healthCheck; ECS could not replace a hung bot"] },
      { what: "a health check without a command", props: taskWith(bot({}, { healthCheck: { interval: 30 } })),
        expect: ["container trading-bot has no healthCheck; ECS could not replace a hung bot"] },
      { what: "an empty command", props: taskWith(bot({}, { healthCheck: { command: [] } })),
        expect: ["container trading-bot has no healthCheck; ECS could not replace a hung bot"] },
      { what: "CMD-SHELL with nothing to run", props: taskWith(bot({}, { healthCheck: { command: ["CMD-SHELL"] } })),
        expect: ['container trading-bot has the healthCheck command ["CMD-SHELL"]; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]'] },
      { what: "CMD-SHELL with a blank line", props: taskWith(bot({}, { healthCheck: { command: ["CMD-SHELL", " "] } })),
        expect: ['container trading-bot has the healthCheck command ["CMD-SHELL"," "]; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]'] },
      { what: "CMD with a blank argument after the program", props: taskWith(bot({}, { healthCheck: { command: ["CMD", "python", ""] } })),
        expect: ['container trading-bot has the healthCheck command ["CMD","python",""]; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]'] },
      { what: "CMD with an argument that is not text", props: taskWith(bot({}, { healthCheck: { command: ["CMD", "python", 5] } })),
        expect: ['container trading-bot has the healthCheck command ["CMD","python",5]; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]'] },
      { what: "a command without CMD or CMD-SHELL", props: taskWith(bot({}, { healthCheck: { command: ["curl -f http://localhost:8080/health"] } })),
        expect: ['container trading-bot has the healthCheck command ["curl -f http://localhost:8080/health"]; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]'] },
      { what: "the Python form", props: taskWith(bot({}, { healthCheck: { command: ["CMD", "python", "-c", "import urllib.request"] } })), expect: [] },
      { what: "a task without the bot (the data-sync task): not the bot's rule", props: taskWith(bot({}, { name: "data-sync", healthCheck: undefined })), expect: [] },
      { what: "two containers, none named trading-bot", props: taskWith(bot({}, { name: "a", healthCheck: undefined }), bot({}, { name: "b" })), expect: [] },
      { what: "the bot under a configured name", props: taskWith(bot({}, { name: "bot" }), bot({}, { name: "other", healthCheck: undefined })),
        config: { botContainerName: "bot" }, expect: [] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const debugLevel = (level: string) => `container trading-bot sets LOG_LEVEL=${level}; production logs at INFO or above`;
  describeResourceRule(task.noDebugLogging, {
    cases: [
      ...["WARNING", "INFO", "ERROR", "info"].map((level) => ({ what: `LOG_LEVEL=${level}`, props: taskWith(bot({ LOG_LEVEL: level })), expect: [] })),
      { what: "no LOG_LEVEL (the app's default, INFO)", props: taskWith(botWith({})), expect: [] },
      ...["DEBUG", "debug", "Debug", " DEBUG ", "NOTSET", "notset"].map((level) => ({
        what: `LOG_LEVEL=${JSON.stringify(level)}`, props: taskWith(bot({ LOG_LEVEL: level })), expect: [debugLevel(level)],
      })),
      { what: "DEBUG in a sidecar only (the rule reads the bot)", props: taskWith(bot(), botWith({ LOG_LEVEL: "DEBUG" }, { name: "sidecar" })), expect: [] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const flags = ["ENABLE_PROFILING", "ENABLE_DEBUG_TOOLBAR", "RELOAD_ON_CHANGE", "FAKE_API_RESPONSES"];
  const trueSpellings = ["true", "True", "TRUE", "1", "yes", "YES", "on", "On", "t", "T", "y", "Y", " true "];
  const falseSpellings = ["false", "0", "no", "off", "f", "n", "", "truex", "not true", "10"];
  describeResourceRule(task.noDebugFeatures, {
    cases: [
      { what: "every flag off", props: prodTask, expect: [] },
      { what: "no flag set at all", props: taskWith(botWith({})), expect: [] },
      ...flags.flatMap((flag) =>
        trueSpellings.map((spelling) => ({
          what: `${flag}=${JSON.stringify(spelling)}`,
          props: taskWith(bot({ [flag]: spelling })),
          expect: [`container trading-bot sets ${flag}=${spelling}; it must be off in production`],
        })),
      ),
      ...falseSpellings.map((spelling) => ({ what: `every flag ${JSON.stringify(spelling)}`, props: taskWith(bot(Object.fromEntries(flags.map((f) => [f, spelling])))), expect: [] })),
      { what: "a flag set twice, off then on", props: taskWith({ ...bot({}), environment: [{ name: "ENABLE_DEBUG_TOOLBAR", value: "false" }, { name: "ENABLE_DEBUG_TOOLBAR", value: "true" }] }),
        expect: ['container trading-bot sets ENABLE_DEBUG_TOOLBAR 2 times ("false", "true"); ECS passes one of them to the container, and which is not documented: set it once'] },
      { what: "all four on, reported in order", props: taskWith(bot(Object.fromEntries(flags.map((f) => [f, "true"])))),
        expect: flags.map((flag) => `container trading-bot sets ${flag}=true; it must be off in production`) },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const notProduction = (value: string) =>
    `container trading-bot has ENVIRONMENT=${value}; on a production stack the bot runs with ENVIRONMENT=production, or it loads its development settings`;
  describeResourceRule(task.environmentProduction, {
    cases: [
      { what: "ENVIRONMENT=production", props: prodTask, expect: [] },
      { what: "ENVIRONMENT=Production (the app lowers it)", props: taskWith(bot({ ENVIRONMENT: "Production" })), expect: [] },
      { what: "a task definition without the bot (another service's)", props: taskWith(bot({ ENVIRONMENT: "development" }, { name: "a" }), bot({}, { name: "b" })), expect: [] },
      ...["development", "staging", "prod", "", " production"].map((value) => ({
        what: `ENVIRONMENT=${JSON.stringify(value)}`, props: taskWith(bot({ ENVIRONMENT: value })), expect: [notProduction(value)],
      })),
      { what: "no ENVIRONMENT (the app defaults to development)", props: taskWith(botWith({})), expect: [notProduction("unset")] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const live = (value: string) => `container trading-bot has BYBIT_TESTNET=${value}; this production stack trades on Bybit testnet, not on the live market`;
  describeResourceRule(task.bybitLive, {
    cases: [
      { what: "BYBIT_TESTNET=false", props: prodTask, expect: [] },
      { what: "no BYBIT_TESTNET", props: taskWith(botWith({})), expect: [] },
      ...trueSpellings.map((spelling) => ({ what: `BYBIT_TESTNET=${JSON.stringify(spelling)}`, props: taskWith(bot({ BYBIT_TESTNET: spelling })), expect: [live(spelling)] })),
      { what: "a task definition without the bot", props: taskWith(bot({ BYBIT_TESTNET: "true" }, { name: "a" }), bot({}, { name: "b" })), expect: [] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });

  const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot";
  const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
  const pinned = [
    `${repo}:1.0.0`, `${repo}:1.4.2`, `${repo}:v1.4`, `${repo}:1.4.2-rc.1`, `${repo}:2024.11.26`, `${repo}:abc1234`,
    `${repo}:${"a".repeat(40)}`, `${repo}@${digest}`, `${repo}:latest@${digest}`, `${repo}@sha512:${"f".repeat(128)}`,
    `localhost:5000/trading-bot:1.2.3`, `trading-bot:1.2`, `${repo}:1.0.0-beta.2`, `${repo}:1.0.0-alpine`,
  ];
  const unpinned: [image: string, reason: string][] = [
    [`${repo}`, "it has no tag, which means latest"],
    ["localhost:5000/trading-bot", "it has no tag, which means latest"],
    [`${repo}:`, "it has no tag, which means latest"],
    ...["latest", "LATEST", "Latest", "dev", "develop", "development", "main", "master", "staging", "stage", "prod", "production", "test", "testing", "qa",
      "uat", "edge", "nightly", "stable", "release", "current", "snapshot", "unstable", "head", "trunk", "Main"].map((tag): [string, string] => [`${repo}:${tag}`, `its tag ${tag} moves to whatever is pushed next`]),
    ...["1", "v1", "feature-x", "1.4.2.5.6", "abc123", "ABC1234", `${"a".repeat(41)}`].map((tag): [string, string] => [
      `${repo}:${tag}`, `its tag ${tag} is not a version or a commit SHA (versionTagPattern)`,
    ]),
    ...["1.0-latest", "latest-alpine", "1.0.0-SNAPSHOT", "main-2", "2024.11.26_nightly", "v1.4-Dev", "release-1.4"].map((tag): [string, string] => [
      `${repo}:${tag}`, `its tag ${tag} names ${/latest|snapshot|main|nightly|dev|release/i.exec(tag)![0]}, which moves to whatever is pushed next`,
    ]),
    [`${repo}@sha256:abc`, "its digest sha256:abc is not sha256:<64 hex digits>"],
    [`${repo}:1.0.0@md5:abc`, "its digest md5:abc is not sha256:<64 hex digits>"],
    [`${repo}@${digest}0`, `its digest ${digest}0 is not sha256:<64 hex digits>`],
    [`${repo}@x${digest}`, `its digest x${digest} is not sha256:<64 hex digits>`],
    [`${repo}@${digest.toUpperCase()}`, `its digest ${digest.toUpperCase()} is not sha256:<64 hex digits>`],
  ];
  const runs = (image: string, reason: string, container = "trading-bot") => `container ${container} runs ${image}: ${reason}; pin a version tag or a digest`;
  describeResourceRule(task.immutableImage, {
    cases: [
      ...pinned.map((image) => ({ what: image, props: taskWith(bot({}, { image })), expect: [] })),
      ...unpinned.map(([image, reason]) => ({ what: image, props: taskWith(bot({}, { image })), expect: [runs(image, reason)] })),
      { what: "a sidecar on latest", props: taskWith(bot(), bot({}, { name: "sidecar", image: "redis" })),
        expect: [runs("redis", "it has no tag, which means latest", "sidecar")] },
      { what: "a container without an image", props: taskWith(bot({}, { image: undefined })), expect: ["container trading-bot has no image"] },
      { what: "a container with an empty image", props: taskWith(bot({}, { image: "" })), expect: ["container trading-bot has no image"] },
      { what: "a branch tag the configured pattern allows, still refused", props: taskWith(bot({}, { image: `${repo}:main` })),
        config: { versionTagPattern: "[a-z0-9.-]+" }, expect: [runs(`${repo}:main`, "its tag main moves to whatever is pushed next")] },
      { what: "a build number under a configured pattern", props: taskWith(bot({}, { image: `${repo}:build-42` })), config: { versionTagPattern: "build-\\d+" }, expect: [] },
      { what: "1.0.0 under a pattern that wants build numbers", props: taskWith(bot({}, { image: `${repo}:1.0.0` })), config: { versionTagPattern: "build-\\d+" },
        expect: [runs(`${repo}:1.0.0`, "its tag 1.0.0 is not a version or a commit SHA (versionTagPattern)")] },
      { what: "a configured list of moving words", props: taskWith(bot({}, { image: `${repo}:1.0.0-alpine` })), config: { mutableTags: ["alpine"] },
        expect: [runs(`${repo}:1.0.0-alpine`, "its tag 1.0.0-alpine names alpine, which moves to whatever is pushed next")] },
      { what: "latest when the configured list leaves it out", props: taskWith(bot({}, { image: `${repo}:latest` })), config: { mutableTags: [] },
        expect: [runs(`${repo}:latest`, "its tag latest is not a version or a commit SHA (versionTagPattern)")] },
      { what: "a configured pattern that is not a regular expression", props: prodTask, config: { versionTagPattern: "(" },
        expect: ['versionTagPattern "(" is not a valid regular expression: Invalid regular expression: /(/: Unterminated group'] },
      ...unreadable,
    ],
    unknown: unknownContainers,
  });
});

describe("ECS task definition rules: the settings each offers in the pack config", () => {
  const ownSettings = (rule: Parameters<typeof configSchema>[0]) => {
    const { productionStacks: _, ...own } = configSchema(rule).properties;
    return own;
  };
  it("ecs-task-no-secrets-in-environment: allowedPlainNames, a list of exact names", () => {
    assert.deepEqual(ownSettings(task.noSecretsInEnvironment), {
      allowedPlainNames: {
        type: "array",
        items: { type: "string" },
        default: ["ACCESS_TOKEN_EXPIRE_MINUTES"],
        description: "Names that look secret but hold plain settings (exact names, case included)",
      },
    });
  });
  it("ecs-task-health-check: botContainerName, the bot's container", () => {
    assert.deepEqual(ownSettings(task.healthCheck), {
      botContainerName: { type: "string", default: "trading-bot", description: "Name of the bot's container in the task definition" },
    });
  });
  it("ecs-task-immutable-image: versionTagPattern, a regular expression, and mutableTags, a list of words", () => {
    assert.deepEqual(ownSettings(task.immutableImage), {
      versionTagPattern: { type: "string", default: "v?\\d+(\\.\\d+){1,3}(-[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*)?|[0-9a-f]{7,40}", description: "Regular expression a whole image tag must match" },
      mutableTags: {
        type: "array",
        items: { type: "string" },
        default: defaultMutableTags,
        description: "Words refused as a tag or as a part of one between -, _ and ., whatever versionTagPattern says (any case)",
      },
    });
  });
});
