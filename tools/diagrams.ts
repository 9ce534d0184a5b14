// npm run diagrams [-- --write]
// The README's diagrams of the stacks, one Mermaid flowchart per stack file, in promotion
// order (development, staging, production): printed, or written between the README's
// `<!-- stack-diagrams -->` markers. A test keeps the README's copy current.
import * as fs from "node:fs";
import * as path from "node:path";
import { environments } from "../stacks/config";
import type { ToolContext } from "../packages/tool-common/src/toolContext";
import { DiagramResource, diagramResources, mermaidDiagram } from "./plan/diagram";
import { loadStack } from "./plan/load";
import { progressDone } from "./plan/output";
import { runProgram } from "./plan/run";

export const diagramMarkers = { start: "<!-- stack-diagrams -->", end: "<!-- /stack-diagrams -->" } as const;

export interface StackShape {
  stack: string;
  environment: string;
  resources: DiagramResource[];
}

/** The Markdown between the markers: a heading and a flowchart per stack. */
export function stackDiagramsSection(shapes: StackShape[]): string {
  return shapes.map(({ stack, environment, resources }) => `#### ${stack} (${environment})\n\n\`\`\`mermaid\n${mermaidDiagram(resources)}\`\`\``).join("\n\n");
}

/** Every stack file of the project, run under mocks, in promotion order. */
async function stackShapes(root: string): Promise<StackShape[]> {
  const stacks = fs.readdirSync(root).flatMap((name) => /^Pulumi\.([\w.-]+)\.yaml$/.exec(name)?.[1] ?? []);
  const shapes: StackShape[] = [];
  for (const stack of stacks) {
    const loaded = loadStack(stack, root, root);
    shapes.push({ stack, environment: loaded.settings.environment, resources: diagramResources(await runProgram(loaded)) });
  }
  const rank = (shape: StackShape) => environments.indexOf(shape.environment as (typeof environments)[number]);
  return shapes.sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}

/** The README with the section between the markers replaced; refuses a README without them. */
export function withDiagrams(readme: string, section: string): string {
  const [start, end] = [readme.indexOf(diagramMarkers.start), readme.indexOf(diagramMarkers.end)];
  if (start === -1 || end < start) throw new Error(`README.md has no ${diagramMarkers.start} ... ${diagramMarkers.end} block`);
  return `${readme.slice(0, start + diagramMarkers.start.length)}\n${section}\n${readme.slice(end)}`;
}

export async function main(argv: string[], { projectRoot: root }: ToolContext): Promise<number> {
  if (argv.some((arg) => arg !== "--write")) {
    console.error("usage: npm run diagrams [-- --write]   (print the README's stack diagrams, or write them into README.md)");
    return 2;
  }
  const section = stackDiagramsSection(await stackShapes(root));
  progressDone();
  if (!argv.includes("--write")) {
    console.log(section);
    return 0;
  }
  const readme = path.join(root, "README.md");
  const temporary = `${readme}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, withDiagrams(fs.readFileSync(readme, "utf8"), section));
  fs.renameSync(temporary, readme);
  console.log("Wrote the stack diagrams into README.md");
  return 0;
}
