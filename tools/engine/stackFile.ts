// Stack files (Pulumi.<stack>.yaml) read as the Pulumi CLI hands them to the program.
// Light on purpose: the plan reads and checks a file before loading any Pulumi SDK.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { projectName, secretConfigKeys } from "../../stacks/config";

export class StackFileError extends Error {}

/** The placeholder a `secure:` value of a stack file becomes. */
export function secretPlaceholder(key: string): string {
  return `placeholder-for-secret-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
}

/** A stack file as the Pulumi CLI would hand it to the program. */
export interface StackFile {
  stack: string;
  /** Config values by full key; structured values as JSON text, as the CLI passes them. */
  config: Record<string, string>;
  /** Keys stored with `secure:`; their values here are placeholders. */
  secretKeys: string[];
}

/** Reads `Pulumi.<stack>.yaml` from a directory. */
export function readStackFile(directory: string, stack: string): StackFile {
  if (!/^[\w.-]+$/.test(stack)) {
    throw new StackFileError(`"${stack}" is not a stack name: use letters, digits, -, _ and .`);
  }
  const file = path.join(directory, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new StackFileError(`${path.basename(file)} does not exist in ${directory}`);
  }
  return parseStackFile(stack, fs.readFileSync(file, "utf8"));
}

/** Parses the text of a stack file. */
export function parseStackFile(stack: string, text: string): StackFile {
  const fileName = `Pulumi.${stack}.yaml`;
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first.linePos?.[0]?.line;
    throw new StackFileError(`${fileName}${line ? ` line ${line}` : ""}: not valid YAML: ${first.message.split("\n")[0]}`);
  }
  const body: unknown = document.toJS();
  const rawConfig = body && typeof body === "object" ? (body as Record<string, unknown>).config : undefined;
  if (rawConfig !== undefined && (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig))) {
    throw new StackFileError(`${fileName}: "config" must be a mapping of keys to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries((rawConfig ?? {}) as Record<string, unknown>)) {
    if (isSecure(value)) {
      config[key] = secretPlaceholder(key);
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { stack, config, secretKeys };
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

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
