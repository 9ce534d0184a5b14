// The relative links of the README, the docs pages and the packages' READMEs: each must name a file of the checkout,
// and a heading of it when it has an anchor (GitHub's anchors: lower case, punctuation dropped,
// spaces to hyphens, a repeated heading numbered -1, -2, ...).
import * as fs from "node:fs";
import * as path from "node:path";

/** The pages whose links are checked: README.md, every docs/*.md and each package's README, relative to `root`. */
export function linkedPages(root: string): string[] {
  const docs = fs.readdirSync(path.join(root, "docs")).filter((name) => name.endsWith(".md")).sort();
  const packagesFolder = path.join(root, "packages");
  const packages = fs.existsSync(packagesFolder) ? fs.readdirSync(packagesFolder).filter((name) => fs.existsSync(path.join(packagesFolder, name, "README.md"))).sort() : [];
  return ["README.md", ...docs.map((name) => `docs/${name}`), ...packages.map((name) => `packages/${name}/README.md`)];
}

/** The page's lines outside fenced code, with inline code blanked: where links are read. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split("\n").flatMap((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return fenced || line.startsWith("```") ? [] : [line.replace(/`[^`]*`/g, "``")];
  });
}

/** GitHub's anchors of a Markdown page's headings. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** One line per relative link of `page` (relative to `root`) that names no file, or no heading of it. */
export function brokenLinks(root: string, page: string): string[] {
  const text = fs.readFileSync(path.join(root, page), "utf8");
  const links = proseLines(text).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]));
  return links.flatMap((link) => {
    if (/^[a-z]+:/.test(link)) return [];
    const [file, anchor] = link.split("#");
    const target = file === "" ? path.join(root, page) : path.resolve(path.dirname(path.join(root, page)), file);
    if (!fs.existsSync(target)) return [`${page}: (${link}): no file ${path.relative(root, target)}`];
    if (anchor === undefined || !target.endsWith(".md")) return [];
    return headingAnchors(fs.readFileSync(target, "utf8")).has(anchor) ? [] : [`${page}: (${link}): ${path.relative(root, target)} has no heading #${anchor}`];
  });
}
