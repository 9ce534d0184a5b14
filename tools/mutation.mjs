// npm run mutation [-- <group>...]: StrykerJS, one group at a time, each killed by its own
// in-process tests only (stryker.config.mjs lists the groups; a group's strykerOptions, such as
// --incremental, apply to its run alone). One group per run is
// what makes static mutants affordable: a mutant in a module-level table or pattern needs every
// test file of the run reloaded, and a group's files load in a second where the whole suite's
// take several. Exits 1 when a group scores under the minimum, 2 on an unknown group name.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { groups, minimumScorePercent } from "../stryker.config.mjs";

const reportFolder = "reports/mutation";
const reportOf = (group) => `${reportFolder}/${group.name}.json`;

/** One group in this process. Stryker merges its options into the imported config object, so a second run in one process would inherit the first's. */
async function runGroup(group) {
  const { Stryker } = await import("@stryker-mutator/core");
  await new Stryker({
    mutate: group.mutate,
    mochaOptions: { spec: group.tests },
    ignoreStatic: false,
    jsonReporter: { fileName: reportOf(group) },
    htmlReporter: { fileName: `${reportFolder}/${group.name}.html` },
    thresholds: { high: 95, low: minimumScorePercent, break: minimumScorePercent },
    ...group.strykerOptions,
  }).runMutationTest();
}

/** Stryker's score from a report: killed and timed-out mutants over those plus survived and uncovered ones. */
function scoreOf(reportFile) {
  const count = {};
  for (const { mutants } of Object.values(JSON.parse(fs.readFileSync(reportFile, "utf8")).files)) {
    for (const { status } of mutants) count[status] = (count[status] ?? 0) + 1;
  }
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const undetected = (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  return { percent: (100 * detected) / (detected + undetected), count };
}

function chosenGroups(names) {
  const unknown = names.filter((name) => !groups.some((group) => group.name === name));
  if (unknown.length > 0) {
    console.error(`mutation: no group ${unknown.join(", ")}; the groups: ${groups.map((group) => group.name).join(", ")}`);
    process.exit(2);
  }
  return names.length === 0 ? groups : groups.filter((group) => names.includes(group.name));
}

/** Each chosen group in a process of its own, then every group's score. */
function runAll(chosen) {
  fs.mkdirSync(reportFolder, { recursive: true });
  const lines = [];
  for (const [index, group] of chosen.entries()) {
    console.log(`\nmutation: group ${index + 1} of ${chosen.length}, ${group.name}: tests ${group.tests.join(" ")}`);
    fs.rmSync(reportOf(group), { force: true });
    const started = Date.now();
    // Stryker exits 1 under the minimum too; only a missing report means it did not finish.
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--one-group", group.name], { stdio: "inherit" });
    if (!fs.existsSync(reportOf(group))) {
      lines.push(`${group.name}: Stryker failed (exit ${child.status ?? child.signal}), no score`);
      process.exitCode = 1;
      continue;
    }
    const { percent, count } = scoreOf(reportOf(group));
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const counts = Object.entries(count).map(([status, n]) => `${n} ${status}`).join(", ");
    const below = !(percent >= minimumScorePercent);
    lines.push(`${group.name}: ${percent.toFixed(2)} % in ${minutes} min (${counts})${below ? `, under ${minimumScorePercent} %` : ""}`);
    if (below) process.exitCode = 1;
  }
  console.log(`\nmutation score by group (minimum ${minimumScorePercent} %), reports in ${path.resolve(reportFolder)}:\n${lines.map((line) => `  ${line}`).join("\n")}`);
}

const argv = process.argv.slice(2);
if (argv[0] === "--one-group") await runGroup(chosenGroups([argv[1]])[0]);
else runAll(chosenGroups(argv));
