// The --json target: checked before any work, then written all at once. The plan
// overwrites a file only when it holds an earlier plan: never a file the Pulumi CLI reads,
// never anything else, never through a link.
import * as fs from "node:fs";
import * as path from "node:path";
import { insidePulumiFolder, pulumiFileNamePattern, pulumiFileNamesShown, pulumiFolderShown } from "../../packages/stack-files/src/stackFile";
import { syncFolder, writeAllSync } from "../common/durableWrite";
import { PlanDocument, isPlanDocument } from "./document";
import { PlanRefused } from "./output";


/** The largest file read to see whether it is an earlier plan (prod's plan is about 150 KiB). */
const earlierPlanMaxBytes = 16 * 1024 * 1024;

/** Refuses a target in a missing or unwritable folder, a link, or a file that is not an earlier plan. */
export function checkJsonTarget(file: string): void {
  if (file.trim() === "") throw new PlanRefused("--json needs a file name, e.g. --json plan-dev.json");
  // The Pulumi CLI reads Pulumi.json before Pulumi.yaml, and a stack file by its name (JSON is
  // YAML): a plan under such a name, in any case, would break or become a project or stack.
  if (pulumiFileNamePattern.test(path.basename(file))) {
    throw new PlanRefused(
      `--json ${file}: a plan is never written under a name the Pulumi CLI reads (${pulumiFileNamesShown}); give a name such as plan-dev.json`,
    );
  }
  if (insidePulumiFolder(file)) throw new PlanRefused(`--json ${file}: a plan is never written inside ${pulumiFolderShown}; give a name such as plan-dev.json`);
  const folder = path.dirname(path.resolve(file));
  const folderStat = fs.statSync(folder, { throwIfNoEntry: false });
  if (!folderStat) throw new PlanRefused(`--json ${file}: the folder ${folder} does not exist`);
  if (!folderStat.isDirectory()) throw new PlanRefused(`--json ${file}: ${folder} is not a folder`);
  // Writing is the only true test of writing (root passes every permission check).
  const probe = temporaryPath(file, "probe");
  try {
    fs.closeSync(fs.openSync(probe, "wx"));
    fs.rmSync(probe);
  } catch (error) {
    throw new PlanRefused(`--json ${file}: cannot write in ${folder} (${(error as NodeJS.ErrnoException).code})`);
  }
  refuseExisting(file);
}

/** Writes the document: a temporary file in the same folder, flushed, then renamed over the target. */
export function writePlanDocument(file: string, document: PlanDocument): void {
  const temporary = temporaryPath(file, "tmp");
  try {
    const fd = fs.openSync(temporary, "wx", 0o644);
    try {
      writeAllSync(fd, `${JSON.stringify(document, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // Again: the target may have changed while the plan ran.
    refuseExisting(file);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    if (error instanceof PlanRefused) throw error;
    throw new PlanRefused(`--json ${file}: could not write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  syncFolder(path.dirname(path.resolve(file)));
}

function refuseExisting(file: string): void {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isSymbolicLink()) throw new PlanRefused(`--json ${file} is a symbolic link; give the path of a new file or of an earlier plan`);
  if (!stat.isFile()) throw new PlanRefused(`--json ${file} exists and is not a file`);
  if (stat.size > earlierPlanMaxBytes || !isPlanDocument(readRegular(file))) {
    throw new PlanRefused(`--json ${file} exists and is not an earlier plan; the plan overwrites only its own output: give a new file name`);
  }
}

/** The text of a regular file, opened without following a link or blocking (a FIFO swapped in since the check reads as ""). */
function readRegular(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    return stat.isFile() && stat.size <= earlierPlanMaxBytes ? fs.readFileSync(fd, "utf8") : "";
  } finally {
    fs.closeSync(fd);
  }
}

function temporaryPath(file: string, kind: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${kind}`);
}
