// The config reference of docs/configuration.md: one row per key of the stack config schema
// (stacks/config.ts), the values each committed stack file sets, and what the key sets
// (tools/docs/configKeys.ts). A schema key without a row, or a row naming no key, is refused.
import { z } from "zod";
import { secretConfigKeys, stackConfigSchema } from "../../stacks/config";
import { type ConfigKeyRow, configKeyRows } from "./configKeys";

/** A committed stack file's config, values as the CLI passes them (structured ones as JSON text). */
export interface StackConfig {
  stack: string;
  config: Record<string, string>;
}

/** The schema inside optional, nullable and default wrappers. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
  return current;
}

/** The fields of an object section, or of every kind of a discriminated one, in order. */
function sectionFields(schema: z.ZodType): string[] | undefined {
  const inner = unwrapped(schema);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodDiscriminatedUnion) return [...new Set((inner.options as z.ZodObject[]).flatMap((option) => Object.keys(option.shape)))];
  return undefined;
}

/** Every key the reference must describe: `section.field` below `trading-bot:`, other namespaces whole, and the secret keys. */
export function configKeyPaths(): string[] {
  const schemaPaths = Object.entries(stackConfigSchema.shape).flatMap(([key, schema]) => {
    const name = key.replace(/^trading-bot:/, "");
    return sectionFields(schema as z.ZodType)?.map((field) => `${name}.${field}`) ?? [name];
  });
  return [...schemaPaths, "aws:allowedAccountIds", ...Object.keys(secretConfigKeys)];
}

/** What keeps the rows and the schema apart, one line each. */
export function configRowProblems(rows: ConfigKeyRow[] = configKeyRows, paths: string[] = configKeyPaths()): string[] {
  const described = rows.flatMap((row) => row.keys);
  const secret = (key: string) => Object.hasOwn(secretConfigKeys, key);
  return [
    ...described.filter((key) => !paths.includes(key)).map((key) => `tools/docs/configKeys.ts: ${key} is no key of the stack config`),
    ...paths.filter((key) => !described.includes(key)).map((key) => `tools/docs/configKeys.ts: no row describes ${key}`),
    ...rows.flatMap((row) =>
      row.keys
        .filter((key) => secret(key) !== (row.secret === true))
        .map((key) => `tools/docs/configKeys.ts: ${key} ${secret(key) ? "is a secret key: mark its row secret" : "is not a secret key: its row is marked secret"}`),
    ),
  ];
}

/** A long path-like text (an image reference) by its last part, a digest by its first characters. */
function shortened(text: string): string {
  if (text.length <= 40 || !text.includes("/") || text.includes(" ")) return text;
  return `…/${text.split("/").pop()!.replace(/@sha256:([0-9a-f]{8})[0-9a-f]+$/, "@sha256:$1…")}`;
}

/** A value as a table cell: short scalars whole, an image by its last part, lists and objects compactly. */
export function valueCell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null || typeof value !== "object") return shortened(String(value));
  if (Array.isArray(value)) return value.map((item) => (item !== null && typeof item === "object" ? itemName(item as Record<string, unknown>) : valueCell(item))).join(", ") || "[]";
  return Object.entries(value).map(([key, inner]) => `${key}: ${valueCell(inner)}`).join(", ");
}

/** A list item by what names it: an alarm's or strategy's name, a stack and its account, else its values. */
function itemName(item: Record<string, unknown>): string {
  if (typeof item.name === "string") return item.name;
  if (typeof item.stack === "string") return item.account === undefined ? item.stack : `${item.stack}@${item.account}`;
  return Object.values(item).map(valueCell).join(" ");
}

/** The value a stack file gives `key`, parsed from the CLI's JSON text. */
function valueOf({ config }: StackConfig, key: string): unknown {
  const [section, ...field] = key.includes(":") ? [key] : [`trading-bot:${key.split(".")[0]}`, ...key.split(".").slice(1)];
  const text = config[section];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  return field.reduce<unknown>((inner, part) => (inner !== null && typeof inner === "object" ? (inner as Record<string, unknown>)[part] : undefined), value);
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The table: a row per described key group, a column per stack (in the order given). */
export function configReferenceTable(stacks: StackConfig[], rows: ConfigKeyRow[] = configKeyRows): string {
  const problems = configRowProblems(rows);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const body = rows.map((row) => {
    const keys = row.keys.map((key, index) => `\`${index === 0 ? key : key.split(".").pop()}\``).join(", ") + (row.secret ? " (secret)" : "");
    const values = stacks.map((stack) => (row.secret ? "" : row.keys.map((key) => valueCell(valueOf(stack, key))).filter((text) => text !== "").join(", ")));
    return `| ${[keys, ...values.map(cell), row.what].join(" | ")} |`;
  });
  return [`| key | ${stacks.map((stack) => stack.stack).join(" | ")} | what it sets |`, `|---|${stacks.map(() => "---|").join("")}---|`, ...body].join("\n");
}
