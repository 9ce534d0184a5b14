// The words of a diff, shared by the terminal (print.ts) and the pull-request comment
// (summary.ts): how many resources each kind of change touches, which inputs change and
// why, and the cost move against the budget.
import type { PlanDiff } from "./document";

type Change = PlanDiff["resources"]["changed"][number];

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** `1 to replace, 2 to change, 0 to add, 0 to remove, 61 unchanged`. */
export function countsLine({ resources: r }: PlanDiff): string {
  return `${r.replaced.length} to replace, ${r.changed.length} to change, ${r.added.length} to add, ${r.removed.length} to remove, ${r.unchanged} unchanged`;
}

/** `cpu, memory, containerDefinitions`: the changed inputs; those that force the replacement in `force`. */
export function propertyNames(change: Change): { all: string[]; forcing: string[] } {
  return { all: change.properties.map((p) => p.name), forcing: change.properties.filter((p) => p.replaces).map((p) => p.name) };
}

/** One input's change in words: `cpu`, `containerDefinitions ([trading-bot].cpu)`, `taskDefinition (from the replaced trading-bot-task)`. */
export function propertyDetail(property: Change["properties"][number]): string {
  const why = property.fromReplaced ? [`from the replaced ${property.fromReplaced}`] : property.paths;
  return why.length > 0 ? `${property.name} (${why.join(", ")})` : property.name;
}

const usd = (value: number) => value.toFixed(2);
const signed = (value: number) => `${value > 0 ? "+" : value < 0 ? "−" : "±"}${usd(Math.abs(value))}`;

/** `97.84 → 134.14 USD a month (+36.30); over the 120 USD budget by 14.14`. */
export function costLine({ cost }: PlanDiff): string {
  const move = `${usd(cost.beforeUsd)} → ${usd(cost.afterUsd)} USD a month (${signed(cost.deltaUsd)})`;
  if (cost.afterUsd > cost.budgetUsd) return `${move}; over the ${cost.budgetUsd} USD budget by ${usd(cost.afterUsd - cost.budgetUsd)}`;
  return `${move}; ${usd(cost.budgetUsd - cost.afterUsd)} left of the ${cost.budgetUsd} USD budget`;
}

export { signed as signedUsd, plural };
