// YAML numbers JSON cannot hold (`.nan`, `.inf`, `-.inf`) on their way from a stack file to
// the schema's error lines. The CLI hands structured config over as JSON text, where they
// would turn into `null`; the stack-file reader writes them as a marked string instead, and
// the config parser turns that back into a value that prints as written.
// No imports: the program, the policy pack and the tools all load it.

const marker = "\u0000yaml-source:";

/** The JSON-safe stand-in for a YAML number JSON cannot hold, keeping its source text. */
export function markYamlSource(source: string): string {
  return `${marker}${source}`;
}

/** A YAML value kept as written: no schema accepts it, and its error line shows the source text. */
export class YamlSourceText {
  constructor(readonly source: string) {}

  /** JSON has no NaN or Infinity: JSON.stringify gives undefined, so error lines fall back to toString. */
  // Stryker disable next-line BlockStatement: an empty body returns undefined too
  toJSON(): undefined {
    return undefined;
  }

  toString(): string {
    return this.source;
  }
}

/** The value with every marked string (see markYamlSource) replaced by a YamlSourceText. */
export function withYamlSource(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith(marker) ? new YamlSourceText(value.slice(marker.length)) : value;
  if (Array.isArray(value)) return value.map(withYamlSource);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withYamlSource(inner)]));
  }
  return value;
}
