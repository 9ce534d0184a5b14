// Secrets in a plan: a plan holds "[secret]" whatever the value, so a changed secret shows
// only in the stack file's `secure:` texts. A fingerprint of each (a hash of the key and of
// the ciphertext the file already holds, never of a value) goes into the plan document,
// where a diff compares them. The one reader (stacks/stackFile.ts) keeps no ciphertext, by
// design: this reads the text it has read and accepted, for the `secure:` entries alone.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import YAML from "yaml";
import { currentKey, stackFileMaxAliasCount } from "../../stacks/stackFile";

/**
 * By config key as the CLI reads it (`trading-bot:bybitApiKey`, the legacy spelling mapped;
 * `<key>.<path>` for one inside a structured value): 16 hex digits each. `text` is a stack
 * file the reader accepted (`fileName` names it in a refusal).
 */
export function secureFingerprints(text: string, fileName: string): Record<string, string> {
  const body = YAML.parse(text.replace(/^\uFEFF/, ""), { maxAliasCount: stackFileMaxAliasCount, merge: true }) as { config?: Record<string, unknown> } | null;
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
  for (const [key, value] of Object.entries(body?.config ?? {})) walk(value, currentKey(key, fileName));
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** 16 hex digits of a file's SHA-256, or undefined when there is no such file. */
export function fileFingerprint(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
}
