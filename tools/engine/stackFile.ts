// Stack files (Pulumi.<stack>.yaml) read as the Pulumi CLI hands them to the program.
// Light on purpose: the plan reads and checks a file before loading any Pulumi SDK.
// Hostile input is refused with one line: a file over 1 MiB, an alias bomb, a `secure:`
// entry that holds no ciphertext; numbers JSON cannot hold reach the schema as written.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML, { Document, visit } from "yaml";
import { projectName, secretConfigKeys } from "../../stacks/config";
import { markYamlSource } from "../../stacks/yamlSource";

export class StackFileError extends Error {}

/** The largest stack file read: the committed ones hold about 4 KiB. */
export const stackFileMaxBytes = 1024 * 1024;
/** How many alias expansions a stack file may make (the `yaml` package's own default, explicit). */
export const stackFileMaxAliasCount = 100;

/** The placeholder a `secure:` value of a stack file becomes. */
export function secretPlaceholder(key: string): string {
  return `placeholder-for-secret-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
}

/** A stack file as the Pulumi CLI would hand it to the program. */
export interface StackFile {
  stack: string;
  /** Config values by full key; structured values as JSON text, as the CLI passes them. */
  config: Record<string, string>;
  /** Keys stored with `secure:` (or holding one inside); their values here are placeholders. */
  secretKeys: string[];
}

/** Reads `Pulumi.<stack>.yaml` from a directory. */
export function readStackFile(directory: string, stack: string): StackFile {
  if (!/^[\w.-]+$/.test(stack)) {
    throw new StackFileError(`"${stack}" is not a stack name: use letters, digits, -, _ and .`);
  }
  const file = path.join(directory, `Pulumi.${stack}.yaml`);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new StackFileError(`${path.basename(file)} does not exist in ${directory}`);
  // Not a FIFO or a device: reading one could wait for ever or never end.
  if (!stat.isFile()) throw new StackFileError(`${path.basename(file)} in ${directory} is not a regular file`);
  if (stat.size > stackFileMaxBytes) throw tooLarge(stack, stat.size);
  return parseStackFile(stack, fs.readFileSync(file, "utf8"));
}

/** Parses the text of a stack file. */
export function parseStackFile(stack: string, text: string): StackFile {
  const fileName = `Pulumi.${stack}.yaml`;
  const size = Buffer.byteLength(text);
  if (size > stackFileMaxBytes) throw tooLarge(stack, size);
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first.linePos?.[0]?.line;
    throw new StackFileError(`${fileName}${line ? ` line ${line}` : ""}: not valid YAML: ${first.message.split("\n")[0]}`);
  }
  const body = toJS(document, fileName);
  const rawConfig = body && typeof body === "object" ? (body as Record<string, unknown>).config : undefined;
  if (rawConfig !== undefined && (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig))) {
    throw new StackFileError(`${fileName}: "config" must be a mapping of keys to values`);
  }
  const secretKeys: string[] = [];
  const entries = Object.entries((rawConfig ?? {}) as Record<string, unknown>).map(([key, value]) => {
    const found = { secure: false };
    const plain = withSecretsReplaced(value, { stack, key, where: key }, found);
    if (found.secure) secretKeys.push(key);
    return [key, typeof plain === "string" ? plain : JSON.stringify(plain)] as const;
  });
  // fromEntries defines each key: `config[key] = ...` would set the prototype for __proto__ and lose the key.
  return { stack, config: Object.fromEntries(entries), secretKeys };
}

function tooLarge(stack: string, bytes: number): StackFileError {
  return new StackFileError(`Pulumi.${stack}.yaml is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a stack file may hold at most ${stackFileMaxBytes / 1024 / 1024} MiB`);
}

/** The document as plain values, with aliases limited and `.nan` / `.inf` kept as written. */
function toJS(document: Document, fileName: string): unknown {
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "number" && !Number.isFinite(node.value)) {
        node.value = markYamlSource(node.source ?? String(node.value));
      }
    },
  });
  try {
    return document.toJS({ maxAliasCount: stackFileMaxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new StackFileError(
        `${fileName}: its YAML aliases expand beyond ${stackFileMaxAliasCount} (an alias bomb, "billion laughs"): write the values out`,
      );
    }
    throw error;
  }
}

/**
 * The value with each `secure:` entry (at the top or anywhere inside, as Pulumi allows)
 * replaced by a placeholder. An entry that holds anything but one non-empty string is
 * refused, naming where it is and nothing of what it holds.
 */
function withSecretsReplaced(value: unknown, at: { stack: string; key: string; where: string }, found: { secure: boolean }): unknown {
  if (Array.isArray(value)) return value.map((item, index) => withSecretsReplaced(item, { ...at, where: `${at.where}[${index}]` }, found));
  if (value === null || typeof value !== "object") return value;
  if ("secure" in value) {
    const entry = value as Record<string, unknown>;
    if (Object.keys(entry).length !== 1 || typeof entry.secure !== "string" || entry.secure.length === 0) {
      const setting = at.where === at.key ? at.key : `--path '${at.where}'`;
      throw new StackFileError(
        `Pulumi.${at.stack}.yaml: ${at.where} has a secure: entry that is not one non-empty string of ciphertext; ` +
          `set it again with: pulumi config set --secret ${setting} <value> --stack ${at.stack}`,
      );
    }
    found.secure = true;
    return secretPlaceholder(at.key);
  }
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name, withSecretsReplaced(inner, { ...at, where: `${at.where}.${name}` }, found)]),
  );
}

/**
 * The file with a placeholder for each required secret it does not hold: secrets are set
 * per machine with `pulumi config set --secret`, so a fresh clone has none.
 */
export function withPlaceholderSecrets(file: StackFile): StackFile {
  const config = { ...file.config };
  const secretKeys = [...file.secretKeys];
  for (const [name, { required }] of Object.entries(secretConfigKeys)) {
    const key = `${projectName}:${name}`;
    if (required && !(key in config)) {
      config[key] = secretPlaceholder(key);
      secretKeys.push(key);
    }
  }
  return { ...file, config, secretKeys };
}
