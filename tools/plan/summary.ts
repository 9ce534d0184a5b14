// npm run plan-summary -- [--limit <chars>] plan-dev.json plan-staging.json plan-prod.json
// The pull-request comment of the preview workflow, from the plans' JSON (never from running
// anything): a table of every stack, then for each stack the change touches its diff (a
// short list, then every property in a collapsed detail), the cost move per component, the
// policy verdicts that flip and a Mermaid diagram with the changed components marked.
// Stacks it does not touch share one line. A comment over GitHub's limit is cut at a block's
// end, with a note saying where the whole text is.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { parseArguments } from "../../packages/tool-common/src/cli";
import { mermaidDiagram } from "./diagram";
import { isUntouched } from "./diff";
import { costLine, countsLine, plural, propertyDetail, signedUsd } from "./diffText";
import { PlanDiff, PlanDocument, planDocumentSchema, planFailures, violationSubject } from "./document";

/** GitHub refuses a comment body over 65,536 characters; the sticky-comment action adds its marker line. */
export const commentLimitChars = 65_000;
/** How many changed resources the short list names before the detail takes over. */
const shortListLength = 8;

/** A piece of the comment that stands alone (balanced tags and fences); `optional` ones give way first when it is too long. */
interface Block {
  text: string;
  optional?: string;
}

/** Markdown for the given plan files; a missing or unreadable file says so in its row. */
export function renderPlanSummary(files: string[], limitChars = commentLimitChars): string {
  const plans = files.map((file) => ({ file, plan: readPlan(file) }));
  const documents = plans.flatMap(({ plan }) => (typeof plan === "string" ? [] : [plan]));
  const blocks: Block[] = [{ text: "### Offline plan: what this change does to each stack" }, { text: overviewTable(plans) }];
  const untouched = documents.filter((plan) => plan.diff && isUntouched(plan.diff));
  if (untouched.length > 0) blocks.push({ text: untouchedLine(untouched) });
  for (const plan of documents.filter((p) => p.diff && !isUntouched(p.diff))) blocks.push(...stackBlocks(plan, plan.diff!));
  const findings = documents.flatMap(findingLines);
  blocks.push({ text: findings.length > 0 ? detail(`Policy findings (${findings.length}) after the change`, findings.join("\n")) : "No policy findings." });
  blocks.push({ text: footer(documents) });
  return fitted(blocks, limitChars);
}

type Row = { file: string; plan: PlanDocument | string };

function overviewTable(plans: Row[]): string {
  const rows = plans.map(({ file, plan }) => {
    if (typeof plan === "string") return `| ${path.basename(file)} | | | | | ${plan} |`;
    const verdict = verdictCell(plan);
    const change = !plan.diff ? "(no base)" : isUntouched(plan.diff) ? "no change" : changeSummary(plan.diff);
    const cost = plan.diff ? `${plan.diff.cost.beforeUsd.toFixed(2)} → ${plan.cost.monthlyTotal.toFixed(2)} (${signedUsd(plan.diff.cost.deltaUsd)})` : plan.cost.monthlyTotal.toFixed(2);
    return `| ${plan.stack} | ${plan.resources.length - 1} | ${change} | ${cost} | ${plan.cost.budget.toFixed(2)} | ${verdict} |`;
  });
  return ["| stack | resources | change | monthly USD | budget USD | verdict |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** `✅ passes`, or why not: `❌ 2 mandatory, over budget`. */
function verdictCell(plan: PlanDocument): string {
  if (planFailures(plan.policy.violations, plan.cost).length === 0) return "✅ passes";
  const mandatory = plan.policy.violations.filter((v) => v.level === "mandatory").length;
  return `❌ ${[mandatory > 0 ? `${mandatory} mandatory` : "", plan.cost.monthlyTotal > plan.cost.budget ? "over budget" : ""].filter(Boolean).join(", ")}`;
}

/** `1 replaced, 1 changed, 1 secret`: the kinds of change there are, and how many of each. */
function changeSummary(diff: PlanDiff): string {
  const { added, removed, replaced, changed } = diff.resources;
  const parts = [
    [replaced.length, "replaced"],
    [changed.length, "changed"],
    [added.length, "added"],
    [removed.length, "removed"],
    [diff.secrets.length, diff.secrets.length === 1 ? "secret" : "secrets"],
    [diff.policy.appeared.length + diff.policy.disappeared.length, "policy verdicts"],
  ] as const;
  return parts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`).join(", ") || "cost only";
}

function untouchedLine(plans: PlanDocument[]): string {
  const each = plans.map((p) => `**${p.stack}** (${p.resources.length - 1} resources, ${p.cost.monthlyTotal.toFixed(2)} USD a month)`);
  return `Not touched by this change: ${each.join(", ")}: no resource, secret, policy verdict or cost moves.`;
}

/** The blocks of one changed stack: heading and short list, the detail, cost, policy, diagram. */
function stackBlocks(plan: PlanDocument, diff: PlanDiff): Block[] {
  const heading = `#### ${plan.stack}: ${countsLine(diff)}\nAgainst ${diff.base.source}.`;
  const blocks: Block[] = [{ text: [heading, "", ...shortList(diff)].join("\n") }];
  const rows = detailRows(diff);
  if (rows.length > 0) blocks.push({ text: detail(`Every changed input (${plural(rows.length - 2, "resource")})`, rows.join("\n")), optional: `${plan.stack}'s changed inputs` });
  blocks.push({ text: costBlock(diff) });
  blocks.push({ text: policyBlock(diff) });
  if (diff.notes.length > 0) blocks.push({ text: diff.notes.map((note) => `> Note: ${note}`).join("\n") });
  const diagram = mermaidDiagram(plan.resources, diff);
  blocks.push({ text: detail(`Diagram of ${plan.stack} (changed components marked)`, `\`\`\`mermaid\n${diagram}\`\`\``), optional: `${plan.stack}'s diagram` });
  return blocks;
}

/** At most `shortListLength` lines: replacements first (they delete something), then removals, updates, additions, secrets. */
function shortList(diff: PlanDiff): string[] {
  const { added, removed, replaced, changed } = diff.resources;
  const names = (r: PlanDiff["resources"]["changed"][number]) => r.properties.map((p) => `\`${p.name}\``).join(", ");
  const lines = [
    ...replaced.map((r) => `- **replace** ${resourceName(r)}: ${names(r)}`),
    ...removed.map((r) => `- **remove** ${resourceName(r)}`),
    ...changed.map((r) => `- update ${resourceName(r)}: ${names(r)}`),
    ...added.map((r) => `- add ${resourceName(r)}`),
    ...diff.secrets.map((s) => `- secret \`${s.key}\` ${s.change} (its value is never shown)`),
  ];
  return lines.length > shortListLength ? [...lines.slice(0, shortListLength), `- … and ${lines.length - shortListLength} more below`] : lines;
}

const resourceName = (r: { type: string; name: string }) => `\`${r.type.split(":").pop()!.split("/").pop()}\` ${r.name}`;

/** A table of every replaced or changed resource with where each input changed and why. */
function detailRows(diff: PlanDiff): string[] {
  const { replaced, changed } = diff.resources;
  if (replaced.length + changed.length === 0) return [];
  const row = (kind: string, r: PlanDiff["resources"]["changed"][number]) =>
    `| ${kind} | ${r.name} | \`${r.type}\` | ${r.properties.map((p) => `${escapeCell(propertyDetail(p))}${p.replaces ? " ⟲" : ""}`).join("<br>")} |`;
  return ["| change | resource | type | inputs (⟲ cannot change in place) |", "|---|---|---|---|", ...replaced.map((r) => row("replace", r)), ...changed.map((r) => row("update", r))];
}

function costBlock(diff: PlanDiff): string {
  const moved = diff.cost.components.filter((c) => c.deltaUsd !== 0);
  const rows = moved.map((c) => `| ${c.component} | ${c.beforeUsd.toFixed(2)} | ${c.afterUsd.toFixed(2)} | ${signedUsd(c.deltaUsd)} |`);
  const table = rows.length > 0 ? ["", "| component | before USD | after USD | change |", "|---|---|---|---|", ...rows] : [];
  return [`**Cost:** ${costLine(diff)}.`, ...table].join("\n");
}

function policyBlock(diff: PlanDiff): string {
  const { appeared, disappeared } = diff.policy;
  if (appeared.length + disappeared.length === 0) return "**Policy:** no verdict changes.";
  const line = (v: PlanDiff["policy"]["appeared"][number], now: string) => `- ${now} \`${v.policy}\` (${v.level}) on ${violationSubject(v.urn) === "the stack" ? "the stack" : `\`${violationSubject(v.urn)}\``}: ${escapeCell(v.message)}`;
  return ["**Policy:**", ...appeared.map((v) => line(v, "❌ now fails")), ...disappeared.map((v) => line(v, "✅ now passes"))].join("\n");
}

function findingLines(plan: PlanDocument): string[] {
  return plan.policy.violations.map((v) => {
    const subject = v.urn === "" ? "the stack" : `\`${violationSubject(v.urn)}\``;
    return `- **${plan.stack}** \`${v.policy}\` (${v.level}) on ${subject}: ${v.message}`;
  });
}

function footer(plans: PlanDocument[]): string {
  const priced = plans[0]?.cost.priceTable;
  return priced ? `Prices: ${priced.region} list prices of ${priced.date} (data/). Details: \`npm run plan -- <stack> --base <ref>\`.` : "";
}

function detail(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A table cell or list item holds no line break or pipe. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Characters as GitHub counts them (code points, not UTF-16 units). */
const length = (text: string) => [...text].length;

/** The blocks joined; over the limit, optional blocks give way, then whole blocks from the end, and a note says where the rest is. */
function fitted(blocks: Block[], limitChars: number): string {
  const join = (list: Block[]) => list.map((b) => b.text).filter(Boolean).join("\n\n");
  const whole = join(blocks);
  if (length(whole) <= limitChars) return whole;
  const note = `> ✂️ Cut to fit GitHub's comment limit (${limitChars.toLocaleString("en-US")} characters here): the whole text is in this workflow run's job summary.`;
  const lean = blocks.map((b) => (b.optional ? { text: `(${b.optional}: in the job summary)` } : b));
  const kept: Block[] = [];
  for (const block of lean) {
    if (length(join([...kept, block, { text: note }])) > limitChars) break;
    kept.push(block);
  }
  return join([...kept, { text: note }]);
}

/** The plan in a file, or why there is none. */
function readPlan(file: string): PlanDocument | string {
  if (!fs.existsSync(file)) return "no plan: see the job log";
  try {
    const parsed = planDocumentSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : "not a plan of this version: see the job log";
  } catch {
    return "not JSON: see the job log";
  }
}

function summaryCommand(): Command {
  return new Command("npm run plan-summary --")
    .description("The pull-request comment of the offline plans (Markdown on stdout), from their JSON (npm run plan -- <stack> --json <file>).")
    .argument("<plans...>", "plan files; a missing one says so in its row")
    .option("--limit <characters>", `cut the comment at a block's end to stay within this many characters (0: no limit)`, String(commentLimitChars));
}

export async function main(argv: string[]): Promise<number> {
  const command = summaryCommand();
  const stop = parseArguments(command, argv);
  if (stop !== undefined) return stop;
  const given = command.opts<{ limit: string }>().limit;
  const limit = Number(given);
  if (!/^\d+$/.test(given) || (limit !== 0 && limit < 1000)) {
    console.error(`plan-summary: --limit ${given}: give a number of characters, 1000 or more, or 0 for no limit`);
    return 2;
  }
  console.log(renderPlanSummary(command.args, limit === 0 ? Number.POSITIVE_INFINITY : limit));
  return 0;
}
