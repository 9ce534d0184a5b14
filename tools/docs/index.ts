// npm run docs [-- --check]
// Regenerates every block of the docs pages that code can produce (tools/docs/generated.ts)
// between its markers; --check writes nothing and exits 1 listing the stale blocks and the
// relative links of README.md and docs/ that lead nowhere, as the docs test does.
import * as fs from "node:fs";
import * as path from "node:path";
import { progressDone } from "../plan/output";
import { blockMarkers, blockText, writeBlocks } from "./blocks";
import { type GeneratedBlock, generatedBlocks } from "./generated";
import { brokenLinks, linkedPages } from "./links";

const usage = "usage: npm run docs [-- --check]   (regenerate the docs' generated blocks, or list the stale ones and the broken links and exit 1)";

/** One line per generated block whose page holds other text, or no such block at all. */
export function staleBlocks(root: string, blocks: GeneratedBlock[]): string[] {
  return blocks.flatMap(({ page, block, text }) => {
    const { start, end } = blockMarkers(block);
    const committed = blockText(fs.readFileSync(path.join(root, page), "utf8"), block);
    if (committed === undefined) return [`${page}: no ${start} ... ${end} block`];
    return committed === text ? [] : [`${page}: ${start} is stale`];
  });
}

/** `projectRoot` is the checkout (all this reads of the launcher's ToolContext); `blocksOf` produces the blocks: the project's generators, or a test's. */
export async function main(argv: string[], { projectRoot: root }: { projectRoot: string }, blocksOf = generatedBlocks): Promise<number> {
  if (argv.some((arg) => arg !== "--check")) {
    console.error(usage);
    return 2;
  }
  const blocks = await blocksOf(root);
  progressDone();
  const stale = staleBlocks(root, blocks);
  if (argv.includes("--check")) {
    const broken = linkedPages(root).flatMap((page) => brokenLinks(root, page));
    for (const line of [...stale, ...broken]) console.error(line);
    console.log(`docs: ${stale.length} of ${blocks.length} generated blocks stale${stale.length > 0 ? " (run npm run docs)" : ""}, ${broken.length} broken links`);
    return stale.length + broken.length === 0 ? 0 : 1;
  }
  for (const page of [...new Set(blocks.map((block) => block.page))]) writeBlocks(root, page, blocks.filter((block) => block.page === page));
  console.log(`docs: wrote ${blocks.length} generated blocks (${stale.length} were stale)`);
  return 0;
}
