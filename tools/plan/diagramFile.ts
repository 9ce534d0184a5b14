// --diagram <file>: where the Mermaid text goes, checked before any work, written all at
// once; and how to turn it into a picture, with or without @mermaid-js/mermaid-cli.
import * as fs from "node:fs";
import * as path from "node:path";
import { PlanRefused } from "./output";
import { nodeModulesFolder } from "./project";

/** Refuses a target that is not a `.mmd` file in an existing folder, or that is a link or not a file. */
export function checkDiagramTarget(file: string): void {
  if (!/\.(mmd|mermaid)$/i.test(file)) throw new PlanRefused(`--diagram ${file}: give a file ending in .mmd, e.g. --diagram staging.mmd (or no file to print it)`);
  const folder = path.dirname(path.resolve(file));
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new PlanRefused(`--diagram ${file}: the folder ${folder} does not exist`);
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) throw new PlanRefused(`--diagram ${file} is a symbolic link; give the path of a file`);
  if (stat && !stat.isFile()) throw new PlanRefused(`--diagram ${file} exists and is not a file`);
}

/** Writes the diagram: a temporary file in the same folder, renamed over the target. */
export function writeDiagram(file: string, text: string): void {
  const temporary = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { flag: "wx", mode: 0o644 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new PlanRefused(`--diagram ${file}: could not write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Where `mmdc` would run from: the plan's node_modules/.bin, or the PATH. */
function mermaidCli(): string | undefined {
  const folders = [path.join(nodeModulesFolder(), ".bin"), ...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean)];
  return folders.map((folder) => path.join(folder, "mmdc")).find((candidate) => fs.existsSync(candidate));
}

/** How to turn `file` (or the printed text) into a picture. */
export function renderHint(file = "diagram.mmd"): string {
  const svg = file.replace(/\.(mmd|mermaid)$/i, ".svg");
  if (mermaidCli()) return `Render it with: mmdc -i ${file} -o ${svg}`;
  return (
    `@mermaid-js/mermaid-cli is not installed here. Render it with: npx -p @mermaid-js/mermaid-cli mmdc -i ${file} -o ${svg} ` +
    "(it downloads a headless Chromium), paste it into https://mermaid.live, or put it in a ```mermaid block of a Markdown file on GitHub"
  );
}
