// Reading and checking a stack before any work: its name, its folder, its file, its config
// and the prices of its region. Nothing here loads a Pulumi SDK or starts a process, so a
// bad stack is refused in a fraction of a second.
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackSettings } from "../../stacks/config";
import { stackNameProblem } from "../../packages/stack-files/src/stackName";
import { readStackFile, stackFileProductionReason } from "../../packages/stack-files/src/stackFile";
import { sharedAccountProblemFor } from "../engine/stackAccounts";
import { StackFile, programConfigOf, withPlaceholderSecrets } from "../engine/stackFile";
import { PriceTable, loadPriceTable } from "./cost";
import { PlanRefused, progress } from "./output";
import { ProjectCode, thisCheckout } from "./project";
import { secureFingerprints } from "./secrets";

/** Outputs given offline to a stack the program reads through a StackReference. */
export interface StandInStackOutputs {
  /** `<org>/<project>/<stack>` */
  stack: string;
  outputs: Record<string, unknown>;
}

export interface LoadedStack {
  file: StackFile;
  /** Why the stack is production (packages/stack-files/src/production.ts, from the file as Pulumi reads it), or undefined. */
  productionReason: string | undefined;
  settings: StackSettings;
  /** Required secrets the file does not hold (set per machine), replaced by stand-ins. */
  standInSecrets: string[];
  /** The offline plan reads no other stack: what the program reads from one is a stand-in. */
  standInStackOutputs: StandInStackOutputs[];
  /** Prices of the stack's region; loading it refuses an unpriced region before any work. */
  priceTable: PriceTable;
  /** A fingerprint of each `secure:` text of the file (tools/plan/secrets.ts), for a diff to compare. */
  secureFingerprints: Record<string, string>;
  /** Whose program, schema and policy pack plan it. */
  code: ProjectCode;
}

/** Refuses a name the program cannot build (packages/stack-files/src/stackName.ts) before any file is opened. */
export function checkStackName(stack: string): void {
  const problem = stackNameProblem(stack);
  if (problem) throw new PlanRefused(problem);
}

/** Refuses a `-C` folder that does not exist. */
export function checkFolder(directory: string): void {
  const stat = fs.statSync(directory, { throwIfNoEntry: false });
  if (!stat) throw new PlanRefused(`-C ${directory}: no such folder`);
  if (!stat.isDirectory()) throw new PlanRefused(`-C ${directory}: not a folder`);
}

/**
 * Reads and checks `Pulumi.<stack>.yaml` in `directory`, to be planned with `code` (this
 * checkout's unless told); prices come from `projectRoot`'s data/.
 */
export function loadStack(stack: string, directory: string, projectRoot: string, code: ProjectCode = thisCheckout): LoadedStack {
  progress(`reading Pulumi.${stack}.yaml`);
  const content = readStackFile(directory, stack);
  const read = programConfigOf(content);
  const file = withPlaceholderSecrets(read);
  const standInSecrets = file.secretKeys.filter((key) => !read.secretKeys.includes(key));
  const settings = code.parseStackConfig(stack, file.config, (key) => file.secretKeys.includes(key));
  const sharedAccount = sharedAccountProblemFor(directory, content);
  if (sharedAccount) throw new PlanRefused(sharedAccount);
  return {
    file,
    productionReason: stackFileProductionReason(content),
    settings,
    standInSecrets,
    standInStackOutputs: standInStackOutputs(settings),
    priceTable: loadPriceTable(settings.region, path.join(projectRoot, "data")),
    secureFingerprints: secureFingerprints(content.config),
    code,
  };
}

/**
 * The network `trading-bot:network.fromStack` names, shaped like the mock VPC's outputs:
 * one private and one public subnet per availability zone.
 */
function standInStackOutputs(settings: StackSettings): StandInStackOutputs[] {
  const { fromStack, availabilityZoneCount } = settings.network;
  if (fromStack === undefined) return [];
  const subnets = (kind: string) => Array.from({ length: availabilityZoneCount }, (_, index) => `subnet-stand-in-${kind}-${index + 1}`);
  return [{ stack: fromStack, outputs: { vpcId: "vpc-stand-in", privateSubnetIds: subnets("private"), publicSubnetIds: subnets("public") } }];
}
