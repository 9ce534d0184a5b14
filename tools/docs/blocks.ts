// Generated blocks of the docs pages: the text between `<!-- name -->` and `<!-- /name -->`,
// each on a line of its own. The one reader and writer of those markers.
import * as fs from "node:fs";
import * as path from "node:path";

/** The markers of a block. */
export const blockMarkers = (name: string) => ({ start: `<!-- ${name} -->`, end: `<!-- /${name} -->` });

/** The text between a block's markers, or undefined when the page has no such block. */
export function blockText(page: string, name: string): string | undefined {
  const { start, end } = blockMarkers(name);
  const from = page.indexOf(`${start}\n`);
  const to = page.indexOf(`\n${end}`, from);
  return from === -1 || to === -1 ? undefined : page.slice(from + start.length + 1, to);
}

/** The page with the block's text replaced; refuses a page without the block. */
export function withBlock(page: string, name: string, text: string, pageName: string): string {
  const { start, end } = blockMarkers(name);
  if (blockText(page, name) === undefined) throw new Error(`${pageName} has no ${start} ... ${end} block`);
  const from = page.indexOf(`${start}\n`) + start.length + 1;
  return `${page.slice(0, from)}${text}${page.slice(page.indexOf(`\n${end}`, from))}`;
}

/** Writes the blocks into the page `page` (relative to `root`) in one rename: all or nothing. */
export function writeBlocks(root: string, page: string, blocks: { block: string; text: string }[]): void {
  const file = path.join(root, page);
  const text = blocks.reduce((current, { block, text: blockText }) => withBlock(current, block, blockText, page), fs.readFileSync(file, "utf8"));
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
