// npm run promote -- --from <stack> --to <stack> [--yes] [--dry-run] [--lock-timeout <seconds>]
// "Build once, promote": copies trading-bot:app.image, pinned by digest, from one stack file
// to the stack of the next stage (development -> staging -> production), through the safe
// stack file writer (tools/common/stackFileWriter.ts).
import * as path from "node:path";
import { createTwoFilesPatch } from "diff";
import { isMap } from "yaml";
import { environments } from "../../stacks/config";
import { productionEnvironment } from "../../packages/stack-files/src/production";
import { SecretValue } from "../../packages/stack-files/src/secretValue";
import { stackNameProblem } from "../../packages/stack-files/src/stackName";
import { type EditRequest, runEditCommand } from "../common/stackFileCli";
import type { ToolContext } from "../../packages/tool-common/src/toolContext";
import { EditOutcome, EditRefused, InspectedTarget, StackText, editStackFile, lfText, readStackSource, stackFileToString } from "../common/stackFileWriter";

const imagePath = ["trading-bot:app", "image"];
const imageKey = imagePath.join(".");

/** The stages in the order images move through them: the schema's `trading-bot:environment` values. */
export const stages: readonly string[] = environments;

/** `<repository>@sha256:<64 hex>`, no tag: the only image reference that names one build. */
const pinnedImagePattern = /^[a-z0-9][a-z0-9._-]*(:\d+)?(\/[a-z0-9][a-z0-9._-]*)*@sha256:[0-9a-f]{64}$/;

/** The source's image, refused unless pinned by digest. */
export function pinnedImage(source: StackText): string {
  const app = source.config["trading-bot:app"];
  const image = app !== null && typeof app === "object" ? (app as Record<string, unknown>).image : undefined;
  if (image === undefined) throw new EditRefused(`${source.fileName} has no ${imageKey} to promote`);
  if (typeof image !== "string" || !pinnedImagePattern.test(image)) {
    const shown = typeof image === "string" ? JSON.stringify(image) : "not a plain string";
    throw new EditRefused(
      `${source.fileName}: ${imageKey} is ${shown}, not pinned by digest; promote only <repository>@sha256:<64 hex digits>, the digest the build pushed, so every stage runs the same build`,
    );
  }
  return image;
}

/**
 * A stack's stage, from its own stack file's `trading-bot:environment` (never from its name).
 * An environment nobody here can read (a secret) is production's stage, as it is production.
 */
export function stageOf(file: StackText): number {
  const environment = file.environment instanceof SecretValue ? productionEnvironment : file.environment;
  const stage = stages.indexOf(environment as string);
  if (stage < 0) throw new EditRefused(`${file.fileName}: trading-bot:environment is ${JSON.stringify(file.environment ?? null)}; allowed: ${stages.join(", ")}`);
  return stage;
}

/** Refuses anything but one step forward along the stages. */
export function checkStep(source: StackText, target: StackText): void {
  const from = stageOf(source);
  const to = stageOf(target);
  if (to === from + 1) return;
  // Stryker disable next-line StringLiteral: with three stages a skip passes over one, so join's separator never shows
  const skipped = stages.slice(from + 1, to).join(", ");
  const why = to > from ? `it skips ${skipped}` : to === from ? "both are the same stage" : "it goes backwards";
  throw new EditRefused(
    `refusing to promote from ${source.stack} (${stages[from]}) to ${target.stack} (${stages[to]}): ${why}; images move one stage at a time: ${stages.join(" -> ")}`,
  );
}

export interface PromotionPlan {
  image: string;
  updatedText: string | undefined;
}

/** The target with `image` as its app image. Pure: the target's document is not modified. */
export function planPromotion(target: InspectedTarget, image: string): PromotionPlan {
  const previousImage = (target.config["trading-bot:app"] as Record<string, unknown> | undefined)?.image;
  // Stryker disable next-line BooleanLiteral: keepScalar only decides whether a scalar comes back as a node or a value, and neither is a map
  const appNode = target.document.getIn(["config", imagePath[0]], true);
  if (!isMap(appNode)) {
    throw new EditRefused(`${target.fileName}: ${imagePath[0]} is not a plain mapping in the file; set the image by hand`);
  }
  if (previousImage === image) return { image, updatedText: undefined };
  const updated = target.document.clone();
  updated.setIn(["config", ...imagePath], image);
  return { image, updatedText: updated.toString(stackFileToString) };
}

/** The target may be written: production only with --yes, and one step along the stages. */
function admitTarget(source: StackText, target: InspectedTarget, { yes, dryRun }: EditRequest): void {
  if (target.productionReason !== undefined && !yes && !dryRun) {
    throw new EditRefused(`refusing to promote into ${target.stack} without --yes: it is a production stack: ${target.productionReason}; check the change with --dry-run, then pass --yes`);
  }
  checkStep(source, target);
}

function report(outcome: EditOutcome<PromotionPlan>, { from, to }: EditRequest): number {
  const { plan, target } = outcome;
  if (outcome.kind === "unchanged") {
    console.log(`${target.fileName} already runs ${plan.image}; nothing to promote.`);
    return 0;
  }
  console.log(`Promoting ${imageKey} from Pulumi.${from}.yaml to ${target.fileName}: ${plan.image}`);
  process.stdout.write(createTwoFilesPatch(target.fileName, target.fileName, lfText(target.text), lfText(outcome.updatedText), "before", `after promote from ${from}`));
  if (outcome.kind === "invalid") {
    console.error(`promote: the promoted ${target.fileName} would fail the stack config schema; nothing written:`);
    for (const problem of outcome.problems) console.error(`  ${problem}`);
    return 1;
  }
  if (outcome.kind === "dry-run") {
    console.log("Dry run: nothing written.");
    return 0;
  }
  console.log(`Backed up the old ${target.fileName} to ${path.relative(target.directory, outcome.backupFile)}.`);
  console.log(`Apply it: pulumi up --stack ${to}`);
  return 0;
}

/** Runs one promotion; returns the exit status. Refusals are thrown. */
export async function promoteImage(options: EditRequest): Promise<number> {
  const { from, to, directory, dryRun, yes } = options;
  if (from === to) throw new EditRefused("--from and --to name the same stack");
  for (const stack of [from, to]) {
    const problem = stackNameProblem(stack);
    if (problem) throw new EditRefused(problem);
  }
  const source = readStackSource(directory, from);
  const image = pinnedImage(source);
  const outcome = await editStackFile({
    directory,
    stack: to,
    dryRun,
    lock: { timeoutSeconds: options.lockTimeoutSeconds, command: `promote --from ${from} --to ${to}${yes ? " --yes" : ""}`, breakLock: options.breakLock },
    admit: (target) => admitTarget(source, target, options),
    plan: (target) => planPromotion(target, image),
  });
  if (outcome.target.productionReason !== undefined && outcome.kind === "written") console.error(`promote: warning: wrote the production stack file ${outcome.target.fileName}`);
  return report(outcome, options);
}

export async function main(argv: string[], { projectRoot }: ToolContext): Promise<number> {
  return runEditCommand("promote", argv, {
    description: `Copy ${imageKey}, pinned by digest, from one stack file to the next stage's (${stages.join(" -> ")}).`,
    from: "stack whose image to promote",
    to: "stack of the next stage",
    yes: "allow a production stack as the target",
    cwd: projectRoot,
  }, promoteImage);
}
