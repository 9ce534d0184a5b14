// npm run plan-summary -- plan-dev.json plan-prod.json
// The pull-request comment of the preview workflow: each plan's policy verdict and cost.
import * as fs from "node:fs";
import * as path from "node:path";

interface PlanJson {
  stack: string;
  resources: unknown[];
  policy: { pack: string; version: string; violations: { policy: string; level: string; urn: string; message: string }[] };
  cost: { monthlyTotal: number; budget: number; priceTable: { region: string; date: string } };
}

/** Markdown for the given plan files; a missing file (the plan stopped on bad config) says so. */
export function renderPlanSummary(files: string[]): string {
  const rows: string[] = [];
  const findings: string[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) {
      rows.push(`| ${path.basename(file)} | | | | | | no plan: see the job log |`);
      continue;
    }
    const plan = JSON.parse(fs.readFileSync(file, "utf8")) as PlanJson;
    const count = (level: string) => plan.policy.violations.filter((v) => v.level === level).length;
    const overBudget = plan.cost.monthlyTotal > plan.cost.budget;
    const verdict = count("mandatory") > 0 || overBudget ? "❌ fails" : "✅ passes";
    rows.push(
      `| ${plan.stack} | ${plan.resources.length} | ${count("mandatory")} | ${count("advisory")} | ${plan.cost.monthlyTotal.toFixed(2)} | ${plan.cost.budget.toFixed(2)} | ${verdict} |`,
    );
    for (const v of plan.policy.violations) findings.push(`- **${plan.stack}** \`${v.policy}\` (${v.level}) on \`${v.urn.split("::").pop()}\`: ${v.message}`);
  }
  const priced = files.filter((f) => fs.existsSync(f)).map((f) => (JSON.parse(fs.readFileSync(f, "utf8")) as PlanJson).cost.priceTable)[0];
  return [
    "### Offline plan",
    "",
    "| stack | resources | mandatory | advisory | monthly USD | budget USD | verdict |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    findings.length > 0 ? ["Policy findings:", "", ...findings].join("\n") : "No policy findings.",
    "",
    priced ? `Prices: ${priced.region} list prices of ${priced.date} (data/). Details: \`npm run plan -- <stack>\`.` : "",
  ].join("\n");
}

export async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error("usage: npm run plan-summary -- <plan.json>...");
    return 2;
  }
  console.log(renderPlanSummary(files));
  return 0;
}
