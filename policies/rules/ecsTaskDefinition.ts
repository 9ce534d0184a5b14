// Production invariants of the task definition, read from its containerDefinitions JSON.
import { botContainerConfig, checkBotContainer, checkContainers, environmentOf, productionRule } from "../rule";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";

export const containerLogging = productionRule(TASK, {
  name: "ecs-task-container-logging",
  description: "Every production container sends its logs somewhere",
  property: "containerDefinitions[].logConfiguration.logDriver",
  required: "set on every container",
  anchors: ["cdk-nag AwsSolutions-ECS7"],
  check: (props) =>
    checkContainers(props, (containers) =>
      containers
        .filter((c) => !c.logConfiguration?.logDriver)
        .map((c) => `container ${c.name} has no logConfiguration.logDriver; its output would be lost`),
    ),
});

export const noSecretsInEnvironment = productionRule(TASK, {
  name: "ecs-task-no-secrets-in-environment",
  description: "Credentials reach production containers through secrets, never plain environment",
  property: "containerDefinitions[].environment[].name",
  required: "no *KEY*, *SECRET*, *PASSWORD*, *TOKEN*, DATABASE_URL, REDIS_URL",
  anchors: ["cdk-nag AwsSolutions-ECS2 (stricter: no environment at all)"],
  config: {
    allowedPlainNames: {
      type: "array",
      items: { type: "string" },
      default: ["ACCESS_TOKEN_EXPIRE_MINUTES"],
      description: "Names that look secret but hold plain settings",
    },
  },
  check(props, { config }) {
    const secretLooking = /KEY|SECRET|PASSWORD|TOKEN|^DATABASE_URL$|^REDIS_URL$/i;
    return checkContainers(props, (containers) =>
      containers.flatMap((c) =>
        (c.environment ?? [])
          .map((variable) => variable.name)
          .filter((name) => secretLooking.test(name) && !config.allowedPlainNames.includes(name))
          .map((name) => `container ${c.name} sets ${name} in plain environment; pass it through secrets (valueFrom a Secrets Manager ARN)`),
      ),
    );
  },
});

export const healthCheck = productionRule(TASK, {
  name: "ecs-task-health-check",
  description: "The production bot container has a health check",
  property: "containerDefinitions[bot].healthCheck.command",
  required: "a command",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) =>
      bot.healthCheck?.command?.length ? [] : [`container ${bot.name} has no healthCheck; ECS could not replace a hung bot`],
    ),
});

export const noDebugLogging = productionRule(TASK, {
  name: "ecs-task-no-debug-logging",
  description: "The production bot does not log at DEBUG",
  property: "containerDefinitions[bot].environment.LOG_LEVEL",
  required: "not DEBUG",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) => {
      const level = environmentOf(bot).LOG_LEVEL;
      if (level === undefined || level.toUpperCase() !== "DEBUG") return [];
      return [`container ${bot.name} sets LOG_LEVEL=${level}; production logs at INFO or above`];
    }),
});

const debugFeatures = ["ENABLE_PROFILING", "ENABLE_DEBUG_TOOLBAR", "RELOAD_ON_CHANGE", "FAKE_API_RESPONSES"];

export const noDebugFeatures = productionRule(TASK, {
  name: "ecs-task-no-debug-features",
  description: "Profiling, the debug toolbar, reload on change and fake API responses are off in production",
  property: `containerDefinitions[bot].environment: ${debugFeatures.join(", ")}`,
  required: "not true",
  anchors: [],
  config: botContainerConfig,
  check: (props, { config }) =>
    checkBotContainer(props, config.botContainerName, (bot) => {
      const env = environmentOf(bot);
      return debugFeatures
        .filter((name) => /^(true|1|yes|on)$/i.test(env[name] ?? ""))
        .map((name) => `container ${bot.name} sets ${name}=${env[name]}; it must be off in production`);
    }),
});

export const immutableImage = productionRule(TASK, {
  name: "ecs-task-immutable-image",
  description: "Production containers run a pinned image, not the mutable latest tag",
  property: "containerDefinitions[].image",
  required: "a tag other than latest, or a digest",
  anchors: [],
  check: (props) =>
    checkContainers(props, (containers) =>
      containers
        .filter((c) => isMutable(c.image ?? ""))
        .map((c) => `container ${c.name} runs ${c.image}; pin a version tag or a digest, not latest`),
    ),
});

/** `repo`, `repo:latest` and `host:5000/repo` all mean latest; a digest or another tag is pinned. */
function isMutable(image: string): boolean {
  if (image.includes("@sha256:")) return false;
  const lastPart = image.split("/").pop() ?? "";
  const tag = lastPart.includes(":") ? lastPart.split(":").pop() : undefined;
  return tag === undefined || tag === "latest";
}
