// Prints the README's policy table from the pack's own rule list:
//   npm run policy-table
// The resource and property columns come from each rule's `reads` declaration, the only
// properties its check can read.
import { rules } from "../policies/catalog";
import { shortType } from "../policies/declared";
import type { Rule } from "../policies/rule";

const cell = (text: string) => text.replace(/\|/g, "\\|");

function resourceColumn(rule: Rule): string {
  const types = Object.keys(rule.reads).join(", ");
  return rule.kind === "stack" ? `stack: ${types}` : types;
}

function propertyColumn(rule: Rule): string {
  const options = (rule.readsOptions ?? []).map((option) => `${option} (resource option)`);
  const types = Object.entries(rule.reads);
  if (types.length === 1) return [...types[0][1], ...options].join(", ");
  const perType = types.map(([type, paths]) => `${shortType(type)}: ${paths.length > 0 ? paths.join(", ") : "(present)"}`);
  return [...perType, ...options].join("; ");
}

export function renderPolicyTable(list: Rule[] = rules): string {
  const header = [
    "| policy | applies to | resource | property | required | level | public rule ids |",
    "|---|---|---|---|---|---|---|",
  ];
  const rows = list.map((rule) =>
    `| ${[
      `\`${rule.name}\``,
      rule.scope,
      resourceColumn(rule),
      `\`${propertyColumn(rule)}\``,
      rule.required,
      rule.enforcementLevel,
      rule.anchors.length > 0 ? rule.anchors.join(", ") : "none",
    ].map(cell).join(" | ")} |`,
  );
  return [...header, ...rows].join("\n");
}

export async function main(): Promise<number> {
  console.log(renderPolicyTable());
  return 0;
}
