// Does one resource's property point at another? The engine records where each property's
// value came from (property dependencies); during a preview that is all it knows, since a
// new resource's ARN or name is unknown until it exists. So a recorded dependency decides
// first, and values (read through the SDK's proxy, which reports an unknown) only after.
import type { StackResource } from "./rule";

export function dependsOn(from: StackResource, property: string, to: StackResource): boolean {
  // Stryker disable next-line ArrayDeclaration: a stand-in element is no URN of a resource, so it matches nothing either
  return (from.propertyDependencies[property] ?? []).includes(to.urn);
}

/** Does `from.props[property]` (a value or a list) hold one of `to`'s `keys` values? */
export function holdsValueOf(from: StackResource, property: string, to: StackResource, keys: string[]): boolean {
  const value: unknown = from.props[property];
  const held = Array.isArray(value) ? value : [value];
  const targets = keys.map((key) => to.props[key]).filter((target) => target !== undefined);
  return held.some((item) => targets.includes(item));
}

export function refersTo(from: StackResource, property: string, to: StackResource, keys: string[]): boolean {
  return dependsOn(from, property, to) || holdsValueOf(from, property, to, keys);
}

/** Does any of `froms` refer to any of `tos`? Every recorded dependency is tried before any value is read. */
export function anyRefersTo(froms: StackResource[], property: string, tos: StackResource[], keys: string[]): boolean {
  const pairs = froms.flatMap((from) => tos.map((to) => [from, to] as const));
  return pairs.some(([from, to]) => dependsOn(from, property, to)) || pairs.some(([from, to]) => holdsValueOf(from, property, to, keys));
}
