// npm run plan-summary -- plan-dev.json plan-prod.json
// The pull-request comment of the preview workflow: each plan's policy verdict and cost.
import * as fs from "node:fs";
import * as path from "node:path";
import { PlanDocument, planDocumentSchema, planFailures, violationSubject } from "./document";

/** Markdown for the given plan files; a missing file (the plan stopped on bad config) says so. */
export function renderPlanSummary(files: string[]): string {
  const rows: string[] = [];
  const findings: string[] = [];
  const plans: PlanDocument[] = [];
  for (const file of files) {
    const plan = readPlan(file);
    if (typeof plan === "string") {
      rows.push(`| ${path.basename(file)} | | | | | | ${plan} |`);
      continue;
    }
    plans.push(plan);
    const count = (level: string) => plan.policy.violations.filter((v) => v.level === level).length;
    const verdict = planFailures(plan.policy.violations, plan.cost).length > 0 ? "❌ fails" : "✅ passes";
    rows.push(
      `| ${plan.stack} | ${plan.resources.length} | ${count("mandatory")} | ${count("advisory")} | ${plan.cost.monthlyTotal.toFixed(2)} | ${plan.cost.budget.toFixed(2)} | ${verdict} |`,
    );
    for (const v of plan.policy.violations) {
      const subject = v.urn === "" ? "the stack" : `\`${violationSubject(v.urn)}\``;
      findings.push(`- **${plan.stack}** \`${v.policy}\` (${v.level}) on ${subject}: ${v.message}`);
    }
  }
  const priced = plans[0]?.cost.priceTable;
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

export async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error("usage: npm run plan-summary -- <plan.json>...");
    return 2;
  }
  console.log(renderPlanSummary(files));
  return 0;
}
