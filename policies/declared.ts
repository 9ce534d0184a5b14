// What a rule may read. Every rule declares, per resource type, the property paths its check
// reads; the policy table (docs/policies.md) prints those paths, and the check receives the resource's
// properties behind a proxy that refuses any other property. A check that reads something
// its declaration does not name throws, so the table cannot drift from the code.
//
// A path is keys separated by dots, with a selector after a key whose value is a list:
//   networkConfiguration.assignPublicIp           a nested key
//   capacityProviderStrategies[].capacityProvider  a key of every element
//   settings[name=containerInsights].value        elements chosen by their `name`, which is
//                                                 therefore readable too
// The last key of a path may be read whole (anything below it). The text after `=` says which
// element the rule looks for; the proxy enforces keys, not which element is read.

/** Property paths per resource type token. */
export type Reads = Record<string, string[]>;

interface Node {
  /** Everything below this node may be read. */
  whole: boolean;
  children: Map<string, Node>;
  /** The node of a list's elements. */
  elements?: Node;
}

export class UndeclaredPropertyError extends Error {
  constructor(
    readonly rule: string,
    readonly path: string,
  ) {
    super(`policy ${rule} read ${path}, which its declaration does not name`);
  }
}

const newNode = (): Node => ({ whole: false, children: new Map() });

function child(node: Node, key: string): Node {
  let next = node.children.get(key);
  if (!next) node.children.set(key, (next = newNode()));
  return next;
}

/** Adds one declared path to the tree; a malformed path is a programming error. */
function addPath(root: Node, path: string): void {
  const segment = /^([^.[\]=]+)(?:\[(?:([^\]=]+)=[^\]]+)?\])?(?:\.|$)/;
  if (path === "" || path.endsWith(".")) throw new Error(`malformed property path ${JSON.stringify(path)}`);
  let node = root;
  let rest = path;
  while (rest.length > 0) {
    const match = segment.exec(rest);
    if (!match) throw new Error(`malformed property path ${JSON.stringify(path)}`);
    node = child(node, match[1]);
    if (match[0].includes("[")) {
      node = node.elements ??= newNode();
      // Stryker disable next-line ConditionalExpression: without a selector, match[2] is undefined and a child under the key undefined is never looked up (property keys are strings)
      if (match[2]) child(node, match[2]).whole = true;
    }
    rest = rest.slice(match[0].length);
  }
  node.whole = true;
}

export function declaredTree(paths: string[]): Node {
  const root = newNode();
  for (const path of paths) addPath(root, path);
  return root;
}

/** The proxy's own node, so a JSON string property can be parsed under the same declaration. */
const nodeOf = Symbol("declared node");

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

function wrap(rule: string, value: unknown, node: Node, path: string): any {
  if (node.whole || value === null || typeof value !== "object") return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      if (key === nodeOf) return { rule, node, path };
      // Symbols (iteration, string conversion) and what every object or list inherits.
      if (typeof key === "symbol") return Reflect.get(target, key, receiver);
      if (Array.isArray(target) && !isIndex(key)) return Reflect.get(target, key, receiver);
      if (!Array.isArray(target) && !node.children.has(key) && key in Object.prototype) return Reflect.get(target, key, receiver);
      const next = Array.isArray(target) ? node.elements : node.children.get(key);
      const where = Array.isArray(target) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!next) throw new UndeclaredPropertyError(rule, where);
      return wrap(rule, Reflect.get(target, key, receiver), next, where);
    },
  });
}

/** `props` as the check may see them: only what `paths` name. */
export function declaredProps(rule: string, paths: string[], props: Record<string, unknown>): Record<string, any> {
  return wrap(rule, props, declaredTree(paths), "");
}

/**
 * Parses a property that holds JSON (e.g. containerDefinitions); the parsed value is
 * readable only as far as the declaration's paths below that property go.
 */
export function declaredJson(props: Record<string, any>, key: string): unknown {
  const parsed: unknown = JSON.parse(String(props[key]));
  const own = props[nodeOf as any] as { rule: string; node: Node; path: string } | undefined;
  if (!own) throw new Error(`declaredJson(${key}) needs the properties a rule's check receives`);
  return wrap(own.rule, parsed, own.node.children.get(key)!, own.path ? `${own.path}.${key}` : key);
}

/** A type token's last part: `aws:ecs/service:Service` -> `Service`. */
export function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}
