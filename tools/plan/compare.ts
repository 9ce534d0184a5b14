// npm run plan -- --compare <stack> <stack>: the environment matrix (what differs between stacks) for two
// stacks side by side. Runs both programs under mocks; no policy pack.
import Table from "cli-table3";
import type { LoadedStack } from "./load";
import { matrixRows } from "./matrix";
import { paint, progressDone, tableStyle } from "./output";
import { stackOutputNotes } from "./print";
import { costOf, runProgram } from "./run";

export async function compareStacks(loaded: LoadedStack[]): Promise<number> {
  const matrices: ReturnType<typeof matrixRows>[] = [];
  for (const stack of loaded) {
    const run = await runProgram(stack);
    const cost = costOf(stack, run);
    matrices.push(matrixRows(run, cost.monthlyTotal, cost.budget));
  }
  progressDone();
  const table = new Table({
    head: ["concern", ...loaded.map((stack) => stack.file.stack), ""],
    style: tableStyle(),
    wordWrap: true,
    colWidths: [22, 44, 44, 3],
  });
  matrices[0].forEach(({ concern, value }, index) => {
    const other = matrices[1][index].value;
    table.push([concern, value, other, value !== other ? paint("yellow", "≠") : ""]);
  });
  console.log(table.toString());
  console.log("≠ marks a row where the two stacks differ.");
  for (const line of loaded.flatMap(stackOutputNotes)) console.log(line);
  return 0;
}
