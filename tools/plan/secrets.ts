// Secrets in a plan: a plan holds "[secret]" whatever the value, so a changed secret shows
// only in the stack file's `secure:` texts. A fingerprint of each (a hash of the key and of
// the ciphertext the file already holds, never of a value) goes into the plan document,
// where a diff compares them. The file has passed the stack-file reader before this reads it.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { stackFileMaxAliasCount } from "../engine/stackFile";

/** By config key (`trading-bot:bybitApiKey`, or `<key>.<path>` for one inside a structured value): 16 hex digits each. */
export function secureFingerprints(text: string): Record<string, string> {
  const body = YAML.parse(text, { maxAliasCount: stackFileMaxAliasCount, merge: true }) as { config?: Record<string, unknown> } | null;
  const found: Record<string, string> = {};
  const walk = (value: unknown, where: string) => {
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, `${where}[${index}]`));
    if (value === null || typeof value !== "object") return;
    const entry = value as Record<string, unknown>;
    if (typeof entry.secure === "string") {
      found[where] = createHash("sha256").update(where).update("\u0000").update(entry.secure).digest("hex").slice(0, 16);
      return;
    }
    for (const [name, inner] of Object.entries(entry)) walk(inner, `${where}.${name}`);
  };
  for (const [key, value] of Object.entries(body?.config ?? {})) walk(value, key);
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The fingerprints of `Pulumi.<stack>.yaml` in `directory`. */
export function stackFileFingerprints(directory: string, stack: string): Record<string, string> {
  return secureFingerprints(fs.readFileSync(path.join(directory, `Pulumi.${stack}.yaml`), "utf8"));
}

/** 16 hex digits of a file's SHA-256, or undefined when there is no such file. */
export function fileFingerprint(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
}
