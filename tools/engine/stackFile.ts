// A stack file's config the way the Pulumi CLI hands it to the program: every value as text
// (structured values as JSON), keys in the `<ns>:<name>` form, read by the one stack-file
// reader (packages/stack-files/src/stackFile.ts). Offline nothing can decrypt a `secure:` value, so each becomes
// a placeholder; an environment nobody can read is production (packages/stack-files/src/production.ts), so it
// is planned as one.
import { projectName, secretConfigKeys } from "../../stacks/config";
import { environmentKey, productionEnvironment } from "../../packages/stack-files/src/production";
import { SecretValue } from "../../packages/stack-files/src/secretValue";
import { StackFileContent, parseStackFile, readStackFile } from "../../packages/stack-files/src/stackFile";

export { StackFileError } from "../../packages/stack-files/src/stackFile";

/** The placeholder a `secure:` value of a stack file becomes. */
export function secretPlaceholder(key: string): string {
  return `placeholder-for-secret-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
}

/** A stack's config as the Pulumi CLI would hand it to the program. */
export interface StackFile {
  stack: string;
  /** Config values by full key; structured values as JSON text, as the CLI passes them. */
  config: Record<string, string>;
  /** Keys stored with `secure:` (or holding one inside); their values here are placeholders. */
  secretKeys: string[];
}

/** The value of config key `key` with each secret in it replaced: its key's placeholder, or `production` for the environment. */
function withStandIns(value: unknown, key: string): unknown {
  if (value instanceof SecretValue) return key === environmentKey ? productionEnvironment : secretPlaceholder(key);
  if (Array.isArray(value)) return value.map((item) => withStandIns(item, key));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withStandIns(inner, key)]));
}

/** The content as program config: text values, secrets replaced by their stand-ins. */
export function programConfigOf(content: StackFileContent): StackFile {
  const config = Object.fromEntries(
    Object.entries(content.config).map(([key, value]) => {
      const plain = withStandIns(value, key);
      return [key, typeof plain === "string" ? plain : JSON.stringify(plain)];
    }),
  );
  return { stack: content.stack, config, secretKeys: [...content.secretKeys] };
}

/** Parses stack file text into program config. */
export function parseProgramConfig(stack: string, text: string): StackFile {
  return programConfigOf(parseStackFile(stack, text));
}

/** Reads `Pulumi.<stack>.yaml` from a folder (of the Pulumi project `project`, this one unless told) into program config. */
export function readProgramConfig(directory: string, stack: string, project?: string): StackFile {
  return programConfigOf(readStackFile(directory, stack, "source", project));
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
