// Reading a task definition's containers: `containerDefinitions` is a JSON string, parsed
// under the rule's declaration (declared.ts), so a container check reads only what its
// property paths name.
import type { PolicyConfigSchema } from "@pulumi/policy";
import { declaredJson } from "./declared";
import type { ResourceRule } from "./rule";

export const TASK = "aws:ecs/taskDefinition:TaskDefinition";

export interface Container {
  name?: string;
  image?: string;
  environment?: { name: string; value: string }[];
  /** Variables ECS sets from Secrets Manager or SSM (their values are not in the definition). */
  secrets?: { name: string; valueFrom: string }[];
  healthCheck?: { command?: string[] };
  logConfiguration?: { logDriver?: string };
}

/** The containers of a task definition, or why they cannot be read. */
export function containersOf(props: Record<string, any>): Container[] | string {
  if (typeof props.containerDefinitions !== "string") return "containerDefinitions is missing";
  try {
    const parsed = declaredJson(props, "containerDefinitions");
    return Array.isArray(parsed) ? (parsed as Container[]) : "containerDefinitions is not a JSON list";
  } catch (error) {
    if (error instanceof SyntaxError) return "containerDefinitions is not valid JSON";
    throw error;
  }
}

/** Checks a task definition's containers; a definition that does not parse is itself the violation. */
export function checkContainers(props: Record<string, any>, check: (containers: Container[]) => string[]): string[] {
  const containers = containersOf(props);
  return typeof containers === "string" ? [containers] : check(containers);
}

/**
 * Checks the bot's container, the one named `botContainerName`. A task definition without it
 * runs something else (the data-sync task) and is not the bot rules' concern; that the
 * service's task does hold it is `ecs-service-runs-bot`'s to judge.
 */
export function checkBotContainer(props: Record<string, any>, botContainerName: string, check: (bot: Container) => string[]): string[] {
  return checkContainers(props, (containers) => {
    const bot = containers.find((c) => c.name === botContainerName);
    return bot ? check(bot) : [];
  });
}

/** The value of one plain environment variable of a container (the first, when it is set more than once: see setMoreThanOnce). */
export function environmentValue(container: Container, name: string): string | undefined {
  return (container.environment ?? []).find((variable) => variable.name === name)?.value;
}

/**
 * A violation for each of `names` the container sets more than once, in `environment` or in
 * `secrets`: ECS passes one of the values, and which is not documented, so the pack cannot
 * judge the one the bot gets (the first could say testnet, the second live).
 */
export function setMoreThanOnce(container: Container, names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const plain = (container.environment ?? []).filter((variable) => variable.name === name).map((variable) => JSON.stringify(variable.value));
    const secret = (container.secrets ?? []).filter((variable) => variable.name === name).map(() => "a secret");
    const values = [...plain, ...secret];
    if (values.length < 2) return [];
    return [`container ${container.name} sets ${name} ${values.length} times (${values.join(", ")}); ECS passes one of them to the container, and which is not documented: set it once`];
  });
}

/** The property path of a bot environment variable, as rules declare it. */
export function botVariable(name: string): string {
  return `containerDefinitions[name=bot].environment[name=${name}].value`;
}

/** The property path of a bot variable set from a secret: only its name is read (see setMoreThanOnce). */
export function botSecretVariable(name: string): string {
  return `containerDefinitions[name=bot].secrets[name=${name}]`;
}

export const botContainerConfig: PolicyConfigSchema["properties"] = {
  botContainerName: { type: "string", default: "trading-bot", description: "Name of the bot's container in the task definition" },
};

/** A rule on one plain environment variable of the bot's container. */
export interface BotVariableRule extends Omit<ResourceRule, "kind" | "reads" | "anchors" | "config" | "check"> {
  variable: string;
  /** Why the value (undefined when unset) is wrong for the container `botName`, or undefined when it is right. */
  judge(value: string | undefined, botName: string): string | undefined;
}

/** A task-definition rule reading one variable of the bot's container (a task without the bot is not its concern). */
export function botVariableRule({ variable, judge, ...rule }: BotVariableRule): ResourceRule {
  return {
    kind: "resource",
    ...rule,
    reads: { [TASK]: [botVariable(variable), botSecretVariable(variable)] },
    anchors: [],
    config: botContainerConfig,
    check: (props, { config }) =>
      checkBotContainer(props, config.botContainerName, (bot) => {
        const repeated = setMoreThanOnce(bot, [variable]);
        if (repeated.length > 0) return repeated;
        const problem = judge(environmentValue(bot, variable), config.botContainerName);
        return problem === undefined ? [] : [problem];
      }),
  };
}
