// What a rule is: a pure check plus the metadata the pack, the policy table (docs/policies.md) and the tests
// read. Rules never see the stack's name; the pack decides where each one applies.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { Reads } from "./declared";

/**
 * Production invariants apply to the stacks listed as production; money safety to all others;
 * `every stack` rules (the bootstrap's pack) to each stack alike.
 */
export type Scope = "production" | "non-production" | "every stack";

export interface RuleInfo {
  /** The policy name, as `pulumi preview` reports it. */
  name: string;
  /** One line: what the rule requires. */
  description: string;
  scope: Scope;
  enforcementLevel: "mandatory" | "advisory";
  /**
   * The property paths the check reads, per resource type token (syntax in declared.ts).
   * The policy table's resource and property columns are printed from it, and the check can read
   * nothing else: a stack rule sees only resources of these types.
   */
  reads: Reads;
  /** Resource options the check reads. */
  readsOptions?: "protect"[];
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
  /** The type token of the resource being checked (resource rules). */
  type: string;
  /** The resource's `protect` option; readable when the rule declares it in readsOptions. */
  protect: boolean;
}

export interface ResourceRule extends RuleInfo {
  kind: "resource";
  /** Returns one message per violation; reading an unknown value throws (the SDK reports it). */
  check(props: Record<string, any>, context: RuleContext): string[];
}

/** A resource as a stack rule sees it: its declared properties, and where they came from. */
export interface StackResource {
  urn: string;
  type: string;
  name: string;
  props: Record<string, any>;
  /** URNs of the resources each (declared) property's value came from, as the engine recorded. */
  propertyDependencies: Record<string, string[]>;
}

/** A violation a stack rule found; without a URN it is the stack's. */
export interface StackViolation {
  urn?: string;
  message: string;
}

export interface StackRule extends RuleInfo {
  kind: "stack";
  check(resources: StackResource[], context: RuleContext): StackViolation[];
}

export type Rule = ResourceRule | StackRule;

/** A mandatory production rule over one resource type, reading `reads` of it. */
export function productionRule(
  type: string,
  rule: Omit<ResourceRule, "kind" | "scope" | "enforcementLevel" | "reads"> & { reads: string[] },
): ResourceRule {
  return { kind: "resource", scope: "production", enforcementLevel: "mandatory", ...rule, reads: { [type]: rule.reads } };
}

/** Booleans may arrive as `true` or `"true"` (some providers model flags as strings). */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.toLowerCase() === "true");
}

/**
 * Does an app setting read as true? The app's settings class (pydantic) takes 1, on, t,
 * true, y and yes in any case. Rules that flag a setting being on use this, so every
 * spelling the app accepts is caught.
 */
export function spellsTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|on|t|true|y|yes)$/i.test(value.trim());
}

/** The stack name in `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!match) throw new Error(`not a Pulumi URN: ${urn}`);
  return match[1];
}
