// What a rule is: a pure check plus the metadata the pack, the README table and the tests
// read. Rules never see the stack's name; the pack decides where each one applies.
import type { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";

/** Production invariants apply to the stacks listed as production; money safety to all others. */
export type Scope = "production" | "non-production";

export interface RuleInfo {
  /** The policy name, as `pulumi preview` reports it. */
  name: string;
  /** One line: what the rule requires. */
  description: string;
  scope: Scope;
  enforcementLevel: "mandatory" | "advisory";
  /** The resource type(s) it reads, or "stack" for a rule over all resources. */
  resource: string;
  /** The property it reads. */
  property: string;
  /** The value it requires, in words. */
  required: string;
  /** Public rule ids it corresponds to (cdk-nag, Checkov, awsguard); empty when none exists. */
  anchors: string[];
  /** Thresholds a user may change through policy-pack config, with their defaults. */
  config?: PolicyConfigSchema["properties"];
}

export interface RuleContext {
  /** This policy's config, defaults filled in. */
  config: Record<string, any>;
  /** The resource's `protect` option. */
  protect: boolean;
}

export interface ResourceRule extends RuleInfo {
  kind: "resource";
  /** Pulumi type tokens this rule checks. */
  types: string[];
  /** Returns one message per violation; reading an unknown value throws (the SDK reports it). */
  check(props: Record<string, any>, context: RuleContext): string[];
}

export interface StackRule extends RuleInfo {
  kind: "stack";
  check(resources: PolicyResource[], context: RuleContext): { urn: string; message: string }[];
}

export type Rule = ResourceRule | StackRule;

/** A mandatory production rule over one resource type. */
export function productionRule(
  type: string,
  rule: Omit<ResourceRule, "kind" | "scope" | "enforcementLevel" | "resource" | "types">,
): ResourceRule {
  return { kind: "resource", scope: "production", enforcementLevel: "mandatory", resource: type, types: [type], ...rule };
}

/** Booleans may arrive as `true` or `"true"` (some providers model flags as strings). */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.toLowerCase() === "true");
}

/** The stack name in `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!match) throw new Error(`not a Pulumi URN: ${urn}`);
  return match[1];
}

export interface Container {
  name?: string;
  image?: string;
  essential?: boolean;
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  healthCheck?: { command?: string[] };
  logConfiguration?: { logDriver?: string };
}

/** The containers of a task definition (`containerDefinitions` is a JSON string). */
export function containersOf(props: Record<string, any>): Container[] | string {
  const text = props.containerDefinitions;
  if (typeof text !== "string") return "containerDefinitions is missing";
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as Container[]) : "containerDefinitions is not a JSON list";
  } catch {
    return "containerDefinitions is not valid JSON";
  }
}

/** Checks a task definition's containers; a definition that does not parse is itself the violation. */
export function checkContainers(props: Record<string, any>, check: (containers: Container[]) => string[]): string[] {
  const containers = containersOf(props);
  return typeof containers === "string" ? [containers] : check(containers);
}

/**
 * Checks the bot's container, the one named `botContainerName`. A task definition without
 * it runs something else (the data-sync task) and is not the bot rules' concern.
 */
export function checkBotContainer(props: Record<string, any>, botContainerName: string, check: (bot: Container) => string[]): string[] {
  return checkContainers(props, (containers) => {
    const bot = containers.find((c) => c.name === botContainerName);
    return bot ? check(bot) : [];
  });
}

export function environmentOf(container: Container): Record<string, string> {
  return Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
}

export const botContainerConfig: PolicyConfigSchema["properties"] = {
  botContainerName: { type: "string", default: "trading-bot", description: "Name of the bot's container in the task definition" },
};
