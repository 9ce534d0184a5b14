// The transforms of the rules file, applied to every copied row. Pseudonyms are keyed
// HMAC-SHA256: the same input gives the same output in every table and every run with the
// same key (joins still join), distinct inputs stay distinct (128 bits, unlike a hash modulo
// 1000), and nobody without the key can reverse or recompute them.
import * as crypto from "node:crypto";
import { Refusal } from "./errors";
import { type PathRewrite, parseJsonPath, rewriteDocument } from "./jsonPath";
import type { Row } from "./postgresSource";

/** What a `json` transform may do at a path: the value transforms (a constant is written as a JSON value). */
export type PathTransform =
  | { transform: "pseudonym"; prefix: string }
  | { transform: "email" }
  | { transform: "constant"; value: string | number | boolean }
  | { transform: "null" };

export type Transform =
  | { transform: "keep"; containsPersonalData?: false; reason?: string }
  | { transform: "json"; paths: Record<string, PathTransform> }
  | PathTransform;

/** The environment variable holding the HMAC key. */
export const syncKeyVariable = "DATA_SYNC_KEY";
export const minimumKeyBytes = 32;
/** Hex digits of the HMAC kept in a pseudonym: 128 bits. */
const pseudonymHexDigits = 32;

/**
 * The HMAC key from the environment; refused when absent or shorter than 32 bytes. Never
 * printed. A KeyObject: HMACs with it cost a sixth of HMACs with a Buffer key.
 */
export function readSyncKey(environment: NodeJS.ProcessEnv = process.env): crypto.KeyObject {
  const value = environment[syncKeyVariable];
  if (value === undefined || value === "") {
    throw new Refusal(`${syncKeyVariable} is not set: anonymisation needs a secret key of at least ${minimumKeyBytes} bytes (e.g. openssl rand -hex 32)`);
  }
  const key = Buffer.from(value, "utf8");
  if (key.length < minimumKeyBytes) throw new Refusal(`${syncKeyVariable} is ${key.length} bytes long: it must be at least ${minimumKeyBytes} bytes`);
  return crypto.createSecretKey(key);
}

function hmacHex(key: crypto.KeyObject, value: string): string {
  return crypto.createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, pseudonymHexDigits);
}

/** The longest text a transform can write (for character varying(n) columns), or undefined when it keeps the value. */
export function renderedLength(rule: Transform): number | undefined {
  switch (rule.transform) {
    case "pseudonym":
      return rule.prefix.length + pseudonymHexDigits;
    case "email":
      return `user_@example.test`.length + pseudonymHexDigits;
    case "constant":
      return String(rule.value).length;
    default:
      return undefined;
  }
}

export type ValueTransform = (value: string | null) => string | null;

/** The path rewrites of a `json` transform: a string (or a number's text) pseudonymised, a constant as that JSON value, null. */
export function pathRewrites(paths: Record<string, PathTransform>, key: crypto.KeyObject, where = "json"): PathRewrite[] {
  return Object.entries(paths).map(([path, rule]) => {
    const steps = parseJsonPath(path, where);
    if (rule.transform === "constant") return { steps, replace: () => rule.value };
    if (rule.transform === "null") return { steps, replace: () => null };
    const text = valueTransform(rule, key)!;
    return { steps, replace: (value) => (value === null ? null : text(typeof value === "string" ? value : JSON.stringify(value))) };
  });
}

export function valueTransform(rule: Transform, key: crypto.KeyObject): ValueTransform | undefined {
  switch (rule.transform) {
    case "keep":
      return undefined;
    case "json": {
      const rewrites = pathRewrites(rule.paths, key);
      return (value) => (value === null ? null : rewriteDocument(value, rewrites).text);
    }
    case "pseudonym":
      return (value) => (value === null ? null : `${rule.prefix}${hmacHex(key, value)}`);
    case "email":
      return (value) => (value === null ? null : `user_${hmacHex(key, value)}@example.test`);
    case "constant": {
      const constant = typeof rule.value === "boolean" ? (rule.value ? "true" : "false") : String(rule.value);
      return () => constant;
    }
    case "null":
      return () => null;
  }
}

/** Applies the transforms of one table's columns to its rows, in place. */
export function rowTransformer(transforms: (ValueTransform | undefined)[]): (rows: Row[]) => void {
  const active = transforms.flatMap((transform, index) => (transform ? [[index, transform] as const] : []));
  return (rows) => {
    for (const row of rows) for (const [index, transform] of active) row[index] = transform(row[index]);
  };
}
