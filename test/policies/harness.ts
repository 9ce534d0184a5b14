// Runs a rule's check in-process the way the pack runs it for the engine: the properties
// wrapped in @pulumi/policy's own unknown-checking proxy (what turns a preview-time unknown
// into the "can't run policy ... during preview" advisory), then in the rule's declaration.
// Table-driven, the cdk-nag way: compliant and non-compliant cases, and an unknown case for
// every property the rule declares.
import { strict as assert } from "node:assert";
import { EngineResource, checkResource, checkStack, configOf } from "../../policies/evaluate";
import type { ResourceRule, StackRule, StackViolation } from "../../policies/rule";

// The proxy the pack wraps every resource's properties in (internal to @pulumi/policy, whose
// .d.ts for it is empty): reading an unknown value throws its UnknownValueError, which the
// pack's server turns into the advisory.
const sdkProxy = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(value: T): T;
  UnknownValueError: new (...args: never[]) => Error & { props: string[] };
  unknownStringValue: string;
};

/** The engine's marker for a value not known until the resource exists. */
export const unknown = sdkProxy.unknownStringValue;

type Props = Record<string, unknown>;

export function runResourceRule(rule: ResourceRule, type: string, props: Props, options: { config?: Props; protect?: boolean } = {}): string[] {
  const proxied = sdkProxy.unknownCheckingProxy(structuredClone(props));
  return checkResource(rule, { type, props: proxied, protect: options.protect }, configOf(rule, options.config ?? {}));
}

export function runStackRule(rule: StackRule, resources: EngineResource[], config: Props = {}): StackViolation[] {
  const proxied = resources.map((r) => ({ ...r, props: sdkProxy.unknownCheckingProxy(structuredClone(r.props)) }));
  return checkStack(rule, proxied, configOf(rule, config));
}

/** A resource of a production stack, as the engine describes it to a stack policy. */
export function resource(type: string, name: string, props: Props, propertyDependencies?: Record<string, string[]>): EngineResource {
  return { urn: urnOf(type, name), type, name, props, propertyDependencies };
}

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:prod::trading-bot::${type}::${name}`;
}

/** A copy of `props` with the value at a dotted path (list indexes as numbers) made unknown. */
export function withUnknownAt<T extends Props>(props: T, path: string): T {
  const copy = structuredClone(props);
  const keys = path.split(".");
  let node: any = copy;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined) throw new Error(`the fixture has no ${path}`);
    node = node[key];
  }
  node[keys[keys.length - 1]] = unknown;
  return copy;
}

/** Asserts `run` stops on an unknown value at `path`, as the SDK reports it. */
export function assertUnknownAt(run: () => unknown, path: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof sdkProxy.UnknownValueError, `expected an UnknownValueError, got ${String(error)}`);
    assert.equal(error.props.join("."), path);
    assert.match(error.message, new RegExp(`value at \\.${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} can't be known during preview$`));
    return true;
  });
}

/** The first key of each declared path: the properties a rule reads at the top level. */
function topLevel(paths: string[]): Set<string> {
  return new Set(paths.map((path) => /^[^.[]+/.exec(path)![0]));
}

export interface ResourceCase {
  what: string;
  props: Props;
  /** The type when the rule reads more than one. */
  type?: string;
  config?: Props;
  protect?: boolean;
  /** The messages, in order; [] for a compliant case. */
  expect: string[];
}

export interface UnknownCase {
  /** Where the unknown goes (dotted, list indexes as numbers); the SDK reports it there. */
  path: string;
  props: Props;
  type?: string;
}

/** Declares the tests of one resource rule: every case, every unknown, and that they cover its declaration. */
export function describeResourceRule(rule: ResourceRule, spec: { cases: ResourceCase[]; unknown: UnknownCase[] }): void {
  const types = Object.keys(rule.reads);
  const typeOf = (given?: string) => given ?? (types.length === 1 ? types[0] : assert.fail(`${rule.name}: say which type`));
  describe(rule.name, () => {
    for (const { what, props, type, config, protect, expect } of spec.cases) {
      it(`${expect.length === 0 ? "accepts" : "refuses"} ${what}`, () => {
        assert.deepEqual(runResourceRule(rule, typeOf(type), props, { config, protect }), expect);
      });
    }
    for (const { path, props, type } of spec.unknown) {
      it(`reports ${typeOf(type).split(":").pop()} ${path} unknown at preview`, () => {
        assertUnknownAt(() => runResourceRule(rule, typeOf(type), withUnknownAt(props, path)), path);
      });
    }
    it("has compliant and non-compliant cases, and an unknown case for every property it declares", () => {
      assert.ok(spec.cases.some((c) => c.expect.length === 0) && spec.cases.some((c) => c.expect.length > 0));
      for (const type of types) {
        const probed = new Set(spec.unknown.filter((u) => typeOf(u.type) === type).map((u) => u.path.split(".")[0]));
        assert.deepEqual([...probed].sort(), [...topLevel(rule.reads[type])].sort(), type);
      }
    });
  });
}

export interface StackCase {
  what: string;
  resources: EngineResource[];
  config?: Props;
  expect: StackViolation[];
}

export interface StackUnknownCase {
  what?: string;
  resources: EngineResource[];
  /** The resource (by name) and the path made unknown. */
  name: string;
  path: string;
}

/** Declares the tests of one stack rule: every case, every unknown, and that they cover its declaration. */
export function describeStackRule(rule: StackRule, spec: { cases: StackCase[]; unknown: StackUnknownCase[] }): void {
  describe(rule.name, () => {
    for (const { what, resources, config, expect } of spec.cases) {
      it(`${expect.length === 0 ? "accepts" : "refuses"} ${what}`, () => {
        assert.deepEqual(runStackRule(rule, resources, config), expect);
      });
    }
    for (const { what, resources, name, path } of spec.unknown) {
      const target = resources.find((r) => r.name === name);
      it(`reports ${target?.type.split(":").pop()} ${path} unknown at preview${what ? ` (${what})` : ""}`, () => {
        const changed = resources.map((r) => (r === target ? { ...r, props: withUnknownAt(r.props, path) } : r));
        assertUnknownAt(() => runStackRule(rule, changed), path);
      });
    }
    it("has compliant and non-compliant cases, and an unknown case for every property it declares", () => {
      assert.ok(spec.cases.some((c) => c.expect.length === 0) && spec.cases.some((c) => c.expect.length > 0));
      for (const [type, paths] of Object.entries(rule.reads)) {
        const probed = new Set(
          spec.unknown.filter((u) => u.resources.find((r) => r.name === u.name)?.type === type).map((u) => u.path.split(".")[0]),
        );
        assert.deepEqual([...probed].sort(), [...topLevel(paths)].sort(), type);
      }
    });
  });
}

/** A task definition's properties with these containers. */
export function taskWith(...containers: Props[]): Props {
  return { containerDefinitions: JSON.stringify(containers) };
}

/** The bot's container with this plain environment (and any other fields). */
export function botWith(environment: Record<string, string>, fields: Props = {}): Props {
  return {
    name: "trading-bot",
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/trading-bot:1.0.0",
    environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
    ...fields,
  };
}
