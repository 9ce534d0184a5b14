// Prints the README's policy table from the pack's own rule list:
//   npm run policy-table
import { rules } from "../policies/catalog";
import type { Rule } from "../policies/rule";

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function renderPolicyTable(list: Rule[] = rules): string {
  const header = [
    "| policy | applies to | resource | property | required | level | public rule ids |",
    "|---|---|---|---|---|---|---|",
  ];
  const rows = list.map((rule) =>
    `| ${[
      `\`${rule.name}\``,
      rule.scope,
      rule.resource,
      `\`${rule.property}\``,
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
