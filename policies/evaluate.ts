// Runs a rule's check on what the rule declared it reads, and nothing more. The pack calls
// these for the engine's requests; the in-process tests call them the same way.
import type { PolicyConfigSchema } from "@pulumi/policy";
import { UndeclaredPropertyError, declaredProps } from "./declared";
import { ResourceRule, Rule, RuleContext, StackResource, StackRule, StackViolation } from "./rule";
import { defaultProductionNames } from "../packages/stack-files/src/production";

export function configSchema(rule: Rule): PolicyConfigSchema {
  return {
    properties: {
      productionStacks: {
        type: "array",
        items: { type: "string" },
        default: [...defaultProductionNames],
        description: "Stack names treated as production (compared without regard to case)",
      },
      ...rule.config,
    },
  };
}

/** The policy's config with the schema's defaults filled in. */
export function configOf(rule: Rule, given: Record<string, unknown>): Record<string, any> {
  const defaults = Object.fromEntries(Object.entries(configSchema(rule).properties).map(([key, schema]) => [key, schema.default]));
  return { ...defaults, ...given };
}

/** A resource as the engine sends it to a stack policy. */
export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** URNs each property's value came from. */
  propertyDependencies?: Record<string, string[]>;
}

function contextOf(rule: Rule, config: Record<string, any>, type: string, protect: boolean): RuleContext {
  return {
    config,
    type,
    get protect() {
      if (!rule.readsOptions?.includes("protect")) throw new UndeclaredPropertyError(rule.name, "protect (resource option)");
      return protect;
    },
  };
}

export function appliesToType(rule: Rule, type: string): boolean {
  return Object.hasOwn(rule.reads, type);
}

export function checkResource(
  rule: ResourceRule,
  resource: { type: string; props: Record<string, unknown>; protect?: boolean },
  config: Record<string, any>,
): string[] {
  if (!appliesToType(rule, resource.type)) return [];
  const props = declaredProps(rule.name, rule.reads[resource.type], resource.props);
  return rule.check(props, contextOf(rule, config, resource.type, resource.protect ?? false));
}

/** The top-level property names of declared paths: the properties whose dependencies a rule may read. */
function topLevel(paths: string[]): string[] {
  // declaredProps has refused a path not starting with a key (".a", "[]"): the first run of
  // characters before . or [ is the key.
  return paths.map((path) => /[^.[]+/.exec(path)![0]);
}

export function checkStack(rule: StackRule, resources: EngineResource[], config: Record<string, any>): StackViolation[] {
  const visible: StackResource[] = resources
    .filter((resource) => appliesToType(rule, resource.type))
    .map((resource) => {
      const paths = rule.reads[resource.type];
      return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        props: declaredProps(rule.name, paths, resource.props),
        propertyDependencies: declaredProps(rule.name, topLevel(paths), resource.propertyDependencies ?? {}),
      };
    });
  return rule.check(visible, contextOf(rule, config, "", false));
}
