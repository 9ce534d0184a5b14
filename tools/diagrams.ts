// npm run diagrams [-- --write]
// The stack diagrams of docs/ci-and-trust.md, one Mermaid flowchart per stack file, in
// promotion order (development, staging, production): printed, or written between the page's
// `<!-- stack-diagrams -->` markers. `npm run docs` writes them with the other generated
// blocks, and a test keeps the page's copy current.
import * as fs from "node:fs";
import { environments } from "../stacks/config";
import type { ToolContext } from "../packages/tool-common/src/toolContext";
import { writeBlocks } from "./docs/blocks";
import { DiagramResource, diagramResources, mermaidDiagram } from "./plan/diagram";
import { loadStack } from "./plan/load";
import { progressDone } from "./plan/output";
import { runProgram } from "./plan/run";

/** The page the diagrams are shown in. */
export const diagramsPage = "docs/ci-and-trust.md";

export interface StackShape {
  stack: string;
  environment: string;
  resources: DiagramResource[];
}

/** The Markdown between the markers: a heading and a flowchart per stack. */
export function stackDiagramsSection(shapes: StackShape[]): string {
  return shapes.map(({ stack, environment, resources }) => `#### ${stack} (${environment})\n\n\`\`\`mermaid\n${mermaidDiagram(resources)}\`\`\``).join("\n\n");
}

/** A stack's environment and diagram resources: its program run under mocks. */
async function shapeOfStack(root: string, stack: string): Promise<Omit<StackShape, "stack">> {
  const loaded = loadStack(stack, root, root);
  return { environment: loaded.settings.environment, resources: diagramResources(await runProgram(loaded)) };
}

/** Every stack file of the project, each shaped by `shapeOf` (by default its program run under mocks), in promotion order. */
export async function stackShapes(root: string, shapeOf = (stack: string) => shapeOfStack(root, stack)): Promise<StackShape[]> {
  const stacks = fs.readdirSync(root).flatMap((name) => /^Pulumi\.([\w.-]+)\.yaml$/.exec(name)?.[1] ?? []);
  const shapes: StackShape[] = [];
  for (const stack of stacks) shapes.push({ stack, ...(await shapeOf(stack)) });
  const rank = (shape: StackShape) => environments.indexOf(shape.environment as (typeof environments)[number]);
  return shapes.sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}

export async function main(argv: string[], { projectRoot: root }: ToolContext): Promise<number> {
  if (argv.some((arg) => arg !== "--write")) {
    console.error("usage: npm run diagrams [-- --write]   (print the stack diagrams, or write them into docs/ci-and-trust.md)");
    return 2;
  }
  const section = stackDiagramsSection(await stackShapes(root));
  progressDone();
  if (!argv.includes("--write")) {
    console.log(section);
    return 0;
  }
  writeBlocks(root, diagramsPage, [{ block: "stack-diagrams", text: section }]);
  console.log(`Wrote the stack diagrams into ${diagramsPage}`);
  return 0;
}
