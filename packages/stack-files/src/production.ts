// The one definition of a production stack. The program, the plan, the policy pack's
// defaults, env-sync, promote, stacks and the data tools all ask this module; nothing else
// compares a stack name with "prod" or an environment with "production".
//
// Production is the default. A stack is NOT production only when its environment reads
// plainly as one of the non-production environments and its name is not a production name.
// Anything else is production: the value `production`, a secret (`secure:`) or otherwise
// unreadable environment, a missing one, a value of another type or spelling.
// Only secretValue.ts is imported: the policy pack loads this module as it is.
import { SecretValue } from "./secretValue";

/** The app's `ENVIRONMENT` values, in the order a change is promoted through them. */
export const environments = ["development", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/** The `trading-bot:environment` value of a production stack. */
export const productionEnvironment: Environment = "production";

/** The only environments that make a stack non-production, compared exactly. */
export const nonProductionEnvironments: readonly Environment[] = environments.filter((environment) => environment !== productionEnvironment);

/** The project's name (Pulumi.yaml), the namespace of its config keys. */
export const projectName = "trading-bot";

/** The stack-file key that says a stack's environment. */
export const environmentKey = `${projectName}:environment`;

/** Stack names that are production unless configured otherwise (compared without regard to case). */
export const defaultProductionNames: readonly string[] = ["prod", "production"];

/** Is `stack` one of `productionNames`, compared without regard to case (`Prod` is `prod`)? */
export function isProductionName(stack: string, productionNames: readonly string[] = defaultProductionNames): boolean {
  const name = stack.toLowerCase();
  return productionNames.some((candidate) => candidate.toLowerCase() === name);
}

/** Is `environment` (as a stack file gives it) plainly a non-production environment? */
export function isNonProductionEnvironment(environment: unknown): boolean {
  return typeof environment === "string" && (nonProductionEnvironments as readonly string[]).includes(environment);
}

/** `"development"`, `1 (a number)`, `a list`: a value as a reason line shows it. */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value !== "object") return `${String(value)} (a ${typeof value})`;
  // A value kept as written (yamlSource.ts) prints as written; a plain mapping has no text.
  return Object.getPrototypeOf(value) === Object.prototype ? "a mapping" : String(value);
}

/**
 * Why a stack is production, or undefined when it is not. `environment` is its stack file's
 * `trading-bot:environment` as Pulumi reads it: undefined when the file has none, a
 * SecretValue when it is encrypted. `writtenAs` names the key when the file spells it
 * otherwise (`trading-bot:config:environment`).
 */
export function productionReason(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
  writtenAs: string = environmentKey,
): string | undefined {
  if (isProductionName(stack, productionNames)) return `its name is a production name (${productionNames.join(", ")})`;
  if (isNonProductionEnvironment(environment)) return undefined;
  const allowed = `only ${nonProductionEnvironments.join(" or ")} make a stack non-production`;
  if (environment === undefined) return `its stack file has no ${environmentKey}; ${allowed}`;
  if (environment instanceof SecretValue) return `its ${writtenAs} is a secret (secure:), which nothing here can read; ${allowed}`;
  if (environment === productionEnvironment) return `its stack file says ${writtenAs}: ${productionEnvironment}`;
  return `its ${writtenAs} is ${shown(environment)}; ${allowed}`;
}

export function isProductionStack(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
): boolean {
  return productionReason(stack, environment, productionNames) !== undefined;
}

/**
 * A stack whose name says production while its stack file plainly says another environment
 * is a config error: one of the two is a mistake, and guessing which could put dev settings
 * in prod. Returns the problem, or undefined when they agree or the file says nothing
 * readable (the stack is production either way).
 */
export function nameEnvironmentConflict(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
): string | undefined {
  if (!isProductionName(stack, productionNames)) return undefined;
  if (environment === undefined || environment === productionEnvironment || environment instanceof SecretValue) return undefined;
  return `the stack ${stack} has a production name (${productionNames.join(", ")}) but ${environmentKey} is ${shown(environment)}; allowed: ${productionEnvironment}`;
}
