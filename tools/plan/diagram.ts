// A stack's shape as a Mermaid flowchart (GitHub renders it in Markdown): one box per
// resource at the top of the stack (the components, and the few resources the composition
// makes itself, such as the ingress rules between them), an arrow from each to what it
// uses, and, against a base, the added, changed, replaced and removed ones marked.
import type { PlanDiff } from "./document";

/** What the diagram reads of a resource: a plan document's or a mock run's. */
export interface DiagramResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  dependencies: string[];
}

type Mark = "added" | "removed" | "replaced" | "changed";

/** Colours that read in GitHub's light and dark themes; the label says the same in words. */
const classes: Record<Mark, string> = {
  added: "fill:#dafbe1,stroke:#1a7f37,color:#0a3622",
  changed: "fill:#fff8c5,stroke:#9a6700,color:#3b2300",
  replaced: "fill:#ffebe9,stroke:#cf222e,color:#4c0007",
  removed: "fill:#eaeef2,stroke:#cf222e,color:#4c0007,stroke-dasharray:5 5",
};

/** The flowchart of `resources` (the stack resource among them or not); with a diff, its marks and removed boxes. */
export function mermaidDiagram(resources: DiagramResource[], diff?: PlanDiff): string {
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  const byUrn = new Map(resources.filter((r) => r.urn !== stackUrn).map((r) => [r.urn, r]));
  const top = (urn: string) => {
    let current = urn;
    for (let parent = byUrn.get(current)?.parent; parent && byUrn.has(parent); parent = byUrn.get(current)?.parent) current = parent;
    return current;
  };
  const removedTop = (diff?.resources.removed ?? []).filter((r) => r.topLevel === r.urn);
  const boxes = [...[...byUrn.values()].filter((r) => top(r.urn) === r.urn), ...removedTop];
  const ids = new Map(boxes.map((box, index) => [box.urn, `r${index + 1}`]));
  const marks = marksOf(diff);
  const lines = ["flowchart LR"];
  for (const box of boxes) {
    const mark = marks.get(box.urn);
    lines.push(`  ${ids.get(box.urn)}["${label(box.type, box.name, mark)}"]${mark ? `:::${mark.kind}` : ""}`);
  }
  const arrows = new Set<string>();
  for (const resource of byUrn.values()) {
    for (const dependency of resource.dependencies) {
      const [from, to] = [ids.get(top(resource.urn)), ids.get(top(dependency))];
      if (from && to && from !== to) arrows.add(`  ${from} --> ${to}`);
    }
  }
  lines.push(...[...arrows].sort(byArrow));
  const used = new Set([...marks.values()].map((mark) => mark.kind));
  for (const kind of Object.keys(classes) as Mark[]) if (used.has(kind)) lines.push(`  classDef ${kind} ${classes[kind]}`);
  return `${lines.join("\n")}\n`;
}

/** `r2 --> r10` after `r2 --> r9`: by the numbers, not the text. */
function byArrow(a: string, b: string): number {
  const numbers = (line: string) => [...line.matchAll(/r(\d+)/g)].map((m) => Number(m[1]));
  const [x, y] = [numbers(a), numbers(b)];
  return x[0] - y[0] || x[1] - y[1];
}

/** `TradingBotService<br/>trading-bot`, and in words what the change does to it. */
function label(type: string, name: string, mark?: BoxMark): string {
  const kind = type.split(":").pop()!.split("/").pop()!;
  return `${escape(kind)}<br/>${escape(name)}${mark ? `<br/>(${markWords(mark)})` : ""}`;
}

function markWords(mark: BoxMark): string {
  if (mark.kind === "added" || mark.kind === "removed") return mark.kind;
  return [mark.replaced > 0 ? `${mark.replaced} replaced` : "", mark.changed > 0 ? `${mark.changed} changed` : ""].filter(Boolean).join(", ");
}

/** Mermaid's entity codes for what would end the label or start markup. */
function escape(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}

interface BoxMark {
  kind: Mark;
  /** Resources inside the box that are replaced, and that change otherwise (added, removed or updated). */
  replaced: number;
  changed: number;
}

/** Per box: added or removed itself, else replaced or changed when anything inside it is (with how many). */
function marksOf(diff?: PlanDiff): Map<string, BoxMark> {
  const marks = new Map<string, BoxMark>();
  if (!diff) return marks;
  const { added, removed, replaced, changed } = diff.resources;
  for (const [kind, list] of [["added", added], ["removed", removed]] as const) {
    for (const r of list) if (r.topLevel === r.urn) marks.set(r.urn, { kind, replaced: 0, changed: 0 });
  }
  const replacedUrns = new Set(replaced.map((r) => r.urn));
  for (const r of [...added, ...removed, ...changed, ...replaced].filter((r) => !marks.has(r.topLevel) || marks.get(r.topLevel)!.kind === "replaced" || marks.get(r.topLevel)!.kind === "changed")) {
    const mark = marks.get(r.topLevel) ?? { kind: "changed", replaced: 0, changed: 0 };
    if (replacedUrns.has(r.urn)) mark.replaced += 1;
    else mark.changed += 1;
    mark.kind = mark.replaced > 0 ? "replaced" : "changed";
    marks.set(r.topLevel, mark);
  }
  return marks;
}

/** A mock run's resources as the diagram reads them. */
export function diagramResources(run: { resources: { urn: string; type: string; name: string; parentUrn: string | null; dependencies?: string[] }[] }): DiagramResource[] {
  return run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parentUrn, dependencies: r.dependencies ?? [] }));
}
