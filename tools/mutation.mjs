// npm run mutation [-- <group>...]: StrykerJS over the pure modules, one group at a time, each
// killed by its own unit tests only (stryker.config.mjs lists the groups). One group per run is
// what makes static mutants affordable: a mutant in a module-level table or pattern needs every
// test file of the run reloaded, and a group's files load in a second where the whole suite's
// take several. Exits 1 when a group scores under the minimum, 2 on an unknown group name.
import * as fs from "node:fs";
import { Stryker } from "@stryker-mutator/core";
import { groups, minimumScorePercent } from "../stryker.config.mjs";

const reportFolder = "reports/mutation";

/** Stryker's score: killed and timed-out mutants over those plus survived and uncovered ones. */
function scoreOf(results) {
  const count = {};
  for (const { status } of results) count[status] = (count[status] ?? 0) + 1;
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const undetected = (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  return { percent: (100 * detected) / (detected + undetected), count };
}

async function runGroup(group) {
  const slug = group.name.replaceAll(" ", "-");
  const results = await new Stryker({
    mutate: group.mutate,
    mochaOptions: { spec: group.tests },
    ignoreStatic: false,
    jsonReporter: { fileName: `${reportFolder}/${slug}.json` },
    htmlReporter: { fileName: `${reportFolder}/${slug}.html` },
    // The groups are checked here, each against the minimum, not Stryker's total.
    thresholds: { high: 95, low: minimumScorePercent, break: null },
  }).runMutationTest();
  return scoreOf(results);
}

function chosenGroups(names) {
  const unknown = names.filter((name) => !groups.some((group) => group.name.replaceAll(" ", "-") === name));
  if (unknown.length > 0) {
    console.error(`mutation: no group ${unknown.join(", ")}; the groups: ${groups.map((group) => group.name.replaceAll(" ", "-")).join(", ")}`);
    process.exit(2);
  }
  return names.length === 0 ? groups : groups.filter((group) => names.includes(group.name.replaceAll(" ", "-")));
}

const chosen = chosenGroups(process.argv.slice(2));
fs.mkdirSync(reportFolder, { recursive: true });
const lines = [];
for (const [index, group] of chosen.entries()) {
  console.log(`\nmutation: group ${index + 1} of ${chosen.length}, ${group.name}: ${group.mutate.length} file patterns, tests ${group.tests.join(" ")}`);
  const started = Date.now();
  const { percent, count } = await runGroup(group);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const counts = Object.entries(count).map(([status, n]) => `${n} ${status}`).join(", ");
  const below = !(percent >= minimumScorePercent);
  lines.push(`${group.name}: ${percent.toFixed(2)} % in ${minutes} min (${counts})${below ? `, under ${minimumScorePercent} %` : ""}`);
  if (below) process.exitCode = 1;
}
console.log(`\nmutation score by group (minimum ${minimumScorePercent} %):\n${lines.map((line) => `  ${line}`).join("\n")}`);
