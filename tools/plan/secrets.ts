// Secrets in a plan: a plan holds "[secret]" whatever the value, so a changed secret shows
// only in the stack file's `secure:` texts. The one reader (packages/stack-files/src/stackFile.ts) gives each a
// fingerprint (a hash of where it sits and of its ciphertext, never of a value); they go into
// the plan document, where a diff compares them.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { SecretValue } from "../../packages/stack-files/src/secretValue";

/**
 * By config key as the CLI reads it (`trading-bot:bybitApiKey`; `<key>.<path>` for one inside
 * a structured value): 16 hex digits each, sorted by key.
 */
export function secureFingerprints(config: Record<string, unknown>): Record<string, string> {
  const found: [string, string][] = [];
  const walk = (value: unknown) => {
    if (value instanceof SecretValue) found.push([value.key, value.fingerprint]);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
  };
  Object.values(config).forEach(walk);
  return Object.fromEntries(found.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** 16 hex digits of a file's SHA-256, or undefined when there is no such file. */
export function fileFingerprint(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
}
