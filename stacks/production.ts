// The one definition of a production stack. The program, the plan, the policy pack's
// defaults, env-sync, promote and the data tools all ask this module; nothing else
// compares a stack name with "prod". No imports: the policy pack loads it as it is.

/** Stack names that are production unless configured otherwise (compared without regard to case). */
export const defaultProductionNames: readonly string[] = ["prod", "production"];

/** The `trading-bot:environment` value of a production stack. */
export const productionEnvironment = "production";

/** Is `stack` one of `productionNames`, compared without regard to case (`Prod` is `prod`)? */
export function isProductionName(stack: string, productionNames: readonly string[] = defaultProductionNames): boolean {
  const name = stack.toLowerCase();
  return productionNames.some((candidate) => candidate.toLowerCase() === name);
}

/**
 * Why a stack is production, or undefined when it is not: by its name, or by its stack
 * file's `trading-bot:environment` (pass undefined when the file does not say).
 */
export function productionReason(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
): string | undefined {
  if (isProductionName(stack, productionNames)) return `its name is a production name (${productionNames.join(", ")})`;
  if (environment === productionEnvironment) return `its stack file says trading-bot:environment: ${productionEnvironment}`;
  return undefined;
}

export function isProductionStack(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
): boolean {
  return productionReason(stack, environment, productionNames) !== undefined;
}

/**
 * A stack whose name says production while its stack file says otherwise is a config
 * error: one of the two is a mistake, and guessing which could put dev settings in prod.
 * Returns the problem, or undefined when name and environment agree.
 */
export function nameEnvironmentConflict(
  stack: string,
  environment: unknown,
  productionNames: readonly string[] = defaultProductionNames,
): string | undefined {
  if (!isProductionName(stack, productionNames) || environment === productionEnvironment) return undefined;
  return `the stack ${stack} has a production name (${productionNames.join(", ")}) but trading-bot:environment is ${JSON.stringify(environment ?? null)}; allowed: ${productionEnvironment}`;
}
