// Prints a policy-pack config that treats more stacks as production, for every policy at once:
//   npm run policy-config -- live > policy-config.json
//   pulumi preview --stack live --policy-pack policies --policy-pack-config policy-config.json
// `productionStacks` is part of each policy's own config: a stack added to one policy only
// would leave every other production rule blind to it.
import { Command } from "commander";
import { rules } from "../policies/catalog";
import { defaultProductionNames } from "../packages/stack-files/src/production";
import { stackNameProblem } from "../packages/stack-files/src/stackName";
import { parseArguments } from "../packages/tool-common/src/cli";

/** Every policy at its own level, with the default production names and `stacks` as production. */
export function policyConfigFor(stacks: string[]): Record<string, { enforcementLevel: string; productionStacks: string[] }> {
  const productionStacks = [...new Set([...defaultProductionNames, ...stacks])];
  return Object.fromEntries(rules.map((rule) => [rule.name, { enforcementLevel: rule.enforcementLevel, productionStacks }]));
}

export async function main(argv: string[]): Promise<number> {
  let stacks: string[] = [];
  const command = new Command("npm run policy-config --")
    .description("Print a --policy-pack-config file in which the given stacks are production for every policy (besides prod and production).")
    .argument("<stack...>", "stack names to treat as production")
    .action((given: string[]) => {
      stacks = given;
    });
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const problems = stacks.map(stackNameProblem).filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    console.error(`policy-config: ${problems[0]}`);
    return 2;
  }
  console.log(JSON.stringify(policyConfigFor(stacks), null, 2));
  return 0;
}
