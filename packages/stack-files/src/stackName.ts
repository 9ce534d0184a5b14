// Which stack names the program can build. Resource names derived from the stack name are
// lower case and short (the config bucket's prefix `trading-config-<stack>-` may hold 37
// characters; RDS snapshot identifiers take letters, digits and single hyphens), so a name
// outside this rule is refused up front rather than failing half way through `pulumi up`.
// No imports: every tool checks a name before it reads a file.

export const stackNameRule = "1 to 20 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen";

const stackNamePattern = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/;

/** The problem with a stack name, or undefined when the program can build it. */
export function stackNameProblem(stack: string): string | undefined {
  if (stackNamePattern.test(stack)) return undefined;
  const shown = stack.length > 40 ? `${JSON.stringify(stack.slice(0, 40))}... (${stack.length} characters)` : JSON.stringify(stack);
  return `${shown} is not a stack name this project can build: use ${stackNameRule}`;
}
