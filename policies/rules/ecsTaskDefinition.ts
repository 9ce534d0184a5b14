// Production invariants of the task definition, read from its containerDefinitions JSON.
import { TASK, botContainerConfig, botSecretVariable, botVariable, botVariableRule, checkBotContainer, checkContainers, environmentValue, setMoreThanOnce } from "../containers";
import { defaultMutableTags, defaultVersionTagPattern, unpinnedReason } from "../imageReference";
import { productionRule, spellsTrue } from "../rule";

export const containerLogging = productionRule(TASK, {
  name: "ecs-task-container-logging",
  description: "Every production container sends its logs somewhere",
  reads: ["containerDefinitions[].name", "containerDefinitions[].logConfiguration.logDriver"],
  required: "set on every container",
  anchors: ["cdk-nag AwsSolutions-ECS7"],
  check: (props) =>
    checkContainers(props, (containers) =>
      containers
        .filter((c) => !c.logConfiguration?.logDriver)
        .map((c) => `container ${c.name} has no logConfiguration.logDriver; its output would be lost`),
    ),
});

/** Names that hold credentials: anything with one of these terms, in any case. */
const secretLooking = /KEY|SECRET|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL/i;

export const noSecretsInEnvironment = productionRule(TASK, {
  name: "ecs-task-no-secrets-in-environment",
  description: "Credentials reach production containers through secrets, never plain environment",
  reads: ["containerDefinitions[].name", "containerDefinitions[].environment[].name"],
  required: "no name containing KEY, SECRET, PASSWORD, TOKEN, DATABASE_URL or REDIS_URL (any case), except allowedPlainNames",
  anchors: ["cdk-nag AwsSolutions-ECS2 (stricter: no environment at all)"],
  config: {
    allowedPlainNames: {
      type: "array",
      items: { type: "string" },
      default: ["ACCESS_TOKEN_EXPIRE_MINUTES"],
      description: "Names that look secret but hold plain settings (exact names, case included)",
    },
  },
  check: (props, { config }) =>
    checkContainers(props, (containers) =>
      containers.flatMap((c) =>
        (c.environment ?? [])
          .map((variable) => variable.name)
          .filter((name) => secretLooking.test(name) && !config.allowedPlainNames.includes(name))
          .map((name) => `container ${c.name} sets ${name} in plain environment; pass it through secrets (valueFrom a Secrets Manager ARN)`),
      ),
    ),
});

export const healthCheck = productionRule(TASK, {
  name: "ecs-task-health-check",
  description: "The production bot container has a health check",
  reads: ["containerDefinitions[name=bot].healthCheck.command"],
  required: "a command ECS can run: CMD or CMD-SHELL followed by what to run",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) => {
      const command = bot.healthCheck?.command ?? [];
      if (command.length === 0) return [`container ${bot.name} has no healthCheck; ECS could not replace a hung bot`];
      if (["CMD", "CMD-SHELL"].includes(command[0]) && command.length >= 2 && command.every((part) => typeof part === "string" && part.trim() !== "")) return [];
      return [`container ${bot.name} has the healthCheck command ${JSON.stringify(command)}; ECS runs ["CMD", <program>, <args>...] or ["CMD-SHELL", "<one shell line>"]`];
    }),
});

export const noDebugLogging = botVariableRule({
  name: "ecs-task-no-debug-logging",
  description: "The production bot does not log at DEBUG",
  scope: "production",
  enforcementLevel: "mandatory",
  variable: "LOG_LEVEL",
  required: "not DEBUG or NOTSET (any case)",
  // NOTSET on the root logger lets every record through, DEBUG included.
  judge: (level, bot) =>
    level !== undefined && ["DEBUG", "NOTSET"].includes(level.trim().toUpperCase())
      ? `container ${bot} sets LOG_LEVEL=${level}; production logs at INFO or above`
      : undefined,
});

const debugFeatures = ["ENABLE_PROFILING", "ENABLE_DEBUG_TOOLBAR", "RELOAD_ON_CHANGE", "FAKE_API_RESPONSES"];

export const noDebugFeatures = productionRule(TASK, {
  name: "ecs-task-no-debug-features",
  description: "Profiling, the debug toolbar, reload on change and fake API responses are off in production",
  reads: [...debugFeatures.map(botVariable), ...debugFeatures.map(botSecretVariable)],
  required: "not true in any spelling the app reads as true (1, on, t, true, y, yes)",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) => {
      const repeated = setMoreThanOnce(bot, debugFeatures);
      if (repeated.length > 0) return repeated;
      return debugFeatures
        .filter((name) => spellsTrue(environmentValue(bot, name)))
        .map((name) => `container ${bot.name} sets ${name}=${environmentValue(bot, name)}; it must be off in production`);
    }),
});

export const environmentProduction = botVariableRule({
  name: "ecs-task-environment-production",
  description: "On a production stack the bot runs with its production settings",
  scope: "production",
  enforcementLevel: "mandatory",
  variable: "ENVIRONMENT",
  required: "production (the app compares it in lower case)",
  judge: (environment, bot) =>
    environment?.toLowerCase() === "production"
      ? undefined
      : `container ${bot} has ENVIRONMENT=${environment ?? "unset"}; on a production stack the bot runs with ENVIRONMENT=production, or it loads its development settings`,
});

export const bybitLive = botVariableRule({
  name: "ecs-task-bybit-live",
  description: "A production bot trades on Bybit's live market, not on testnet",
  scope: "production",
  enforcementLevel: "advisory",
  variable: "BYBIT_TESTNET",
  required: "not true (a testnet production stack trades nothing real: allowed, but worth a look)",
  judge: (testnet, bot) =>
    spellsTrue(testnet) ? `container ${bot} has BYBIT_TESTNET=${testnet}; this production stack trades on Bybit testnet, not on the live market` : undefined,
});

export const immutableImage = productionRule(TASK, {
  name: "ecs-task-immutable-image",
  description: "Production containers run an image pinned by digest or by a version tag, never a moving tag",
  reads: ["containerDefinitions[].name", "containerDefinitions[].image"],
  required: "a digest, or a tag matching versionTagPattern (default: 1.4.2, v1.4, 1.4.2-rc.1, 2024.11.26 or a 7-40 hex commit SHA) that neither is nor holds a word of mutableTags (latest, dev, main, staging, snapshot, ...; any case)",
  anchors: [],
  config: {
    versionTagPattern: {
      type: "string",
      default: defaultVersionTagPattern,
      description: "Regular expression a whole image tag must match",
    },
    mutableTags: {
      type: "array",
      items: { type: "string" },
      default: defaultMutableTags,
      description: "Words refused as a tag or as a part of one between -, _ and ., whatever versionTagPattern says (any case)",
    },
  },
  check(props, { config }) {
    const invalidPattern = patternProblem(config.versionTagPattern);
    if (invalidPattern) return [invalidPattern];
    return checkContainers(props, (containers) =>
      containers.flatMap((c) => {
        if (typeof c.image !== "string" || c.image === "") return [`container ${c.name} has no image`];
        const reason = unpinnedReason(c.image, { versionTagPattern: config.versionTagPattern, mutableTags: config.mutableTags });
        return reason ? [`container ${c.name} runs ${c.image}: ${reason}; pin a version tag or a digest`] : [];
      }),
    );
  },
});

function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `versionTagPattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`;
  }
}
