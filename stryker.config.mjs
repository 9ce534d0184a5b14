// npm run mutation: StrykerJS over the pure modules (no Pulumi engine), killed by their fast
// in-process unit tests only. Not part of npm test or .ci/run: a run takes about an hour on
// two shared cores. `npx stryker run --incremental` reruns only what changed since its last run.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/**
 * `file:from-to` mutate ranges of the named top-level declarations: the pure part of a file
 * whose other functions do I/O. Found by name on every run, so an edit above them cannot
 * shift a range onto other code, and a renamed function stops the run instead of vanishing.
 */
function declarations(file, names) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const line = (position) => source.getLineAndCharacterOfPosition(position).line + 1;
  return names.map((name) => {
    const statement = source.statements.find((s) =>
      ts.isVariableStatement(s) ? s.declarationList.declarations.some((d) => d.name.getText(source) === name) : s.name?.getText(source) === name,
    );
    if (statement === undefined) throw new Error(`stryker.config.mjs: ${file} has no top-level declaration ${name}`);
    return `${file}:${line(statement.getStart(source))}-${line(statement.getEnd())}`;
  });
}

/** What is mutated, and the unit tests that must kill its mutants; each group must score `minimumScore`. */
export const groups = [
  { name: "limits", mutate: ["infra/limits.ts"], tests: ["test/limits.test.ts"] },
  {
    name: "stacks",
    mutate: ["stacks/production.ts", "stacks/stackName.ts", "stacks/stackFileKeys.ts", "stacks/yamlSource.ts"],
    tests: ["test/production.test.ts", "test/stackFileKeys.test.ts"],
  },
  { name: "cost", mutate: ["tools/plan/cost.ts"], tests: ["test/cost.test.ts"] },
  {
    name: "stack-file plans",
    mutate: [
      ...declarations("tools/envSync/index.ts", ["holdsSecret", "holdsAlias", "keyOf", "valueAt", "checkParents", "planSync"]),
      ...declarations("tools/promote/index.ts", ["pinnedImagePattern", "pinnedImage", "stageOf", "checkStep", "planPromotion"]),
      ...declarations("tools/common/stackFileWriter.ts", ["sameFile", "parseStackText", "productionTwin", "keepLineEndings", "lfText", "sameMeaning", "keepUntouchedLines", "stackTextProblems"]),
    ],
    tests: ["test/stackFilePlans.test.ts"],
  },
  // index.ts only hands the rules to @pulumi/policy's PolicyPack: the protocol tests' job.
  { name: "policies", mutate: ["policies/**/*.ts", "!policies/index.ts"], tests: ["test/policies/*.test.ts"] },
];

/** Stryker's break threshold is on the total; `node stryker.config.mjs` checks each group too. */
const minimumScore = 90;

const mutate = groups.flatMap((group) => group.mutate);
const checkerTsconfig = "tsconfig.mutation.json";

/** The files a group's patterns name (ranges and exclusions applied by file). */
function filesOf(group) {
  const named = (patterns) => patterns.flatMap((pattern) => fs.globSync(pattern.replace(/^!/, "").replace(/:\d+-\d+$/, "")));
  const excluded = new Set(named(group.mutate.filter((p) => p.startsWith("!"))));
  return new Set(named(group.mutate.filter((p) => !p.startsWith("!"))).filter((file) => !excluded.has(file)));
}

// The TypeScript checker (it drops mutants that do not compile) watches only the root files
// of its tsconfig, the ones `include` names: a mutant in a file the program merely imports
// stops the run with "no watcher is registered for it". Say which file to add instead.
const checkedFiles = new Set(
  ts.parseJsonConfigFileContent(ts.readConfigFile(checkerTsconfig, ts.sys.readFile).config, ts.sys, ".").fileNames.map((file) => path.relative(".", file)),
);
for (const file of groups.flatMap((group) => [...filesOf(group)])) {
  if (!checkedFiles.has(file)) throw new Error(`stryker.config.mjs: ${file} is mutated but ${checkerTsconfig} does not include it`);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  // .mocharc.json gives ts-node (transpile-only) and the .ts extension; only the spec differs.
  mochaOptions: { spec: groups.flatMap((group) => group.tests) },
  checkers: ["typescript"],
  tsconfigFile: checkerTsconfig,
  mutate,
  coverageAnalysis: "perTest",
  // A static mutant (module-level: tables, patterns, each rule's metadata) needs every test
  // file reloaded: about 760 of them took most of a 96-minute run, and under load the reload
  // outran Stryker's timeout, so they scored as "timed out", that is killed, without a test
  // ever seeing them. They are left out of the score instead.
  ignoreStatic: true,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: { allowEmojis: false, reportTests: false },
  thresholds: { high: 95, low: minimumScore, break: minimumScore },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};

/**
 * Each group's score from the JSON report, the way Stryker scores: killed and timed-out mutants
 * over those plus survived and uncovered ones (compile errors and ignored mutants count for
 * neither). Exit 1 when a group is under `minimumScore`.
 */
function checkGroupScores(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8"));
  let failed = false;
  for (const group of groups) {
    const files = filesOf(group);
    const count = {};
    for (const [file, { mutants }] of Object.entries(report.files)) {
      if (!files.has(path.relative(".", path.resolve(file)))) continue;
      for (const { status } of mutants) count[status] = (count[status] ?? 0) + 1;
    }
    const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
    const undetected = (count.Survived ?? 0) + (count.NoCoverage ?? 0);
    const score = (100 * detected) / (detected + undetected);
    const below = !(score >= minimumScore);
    failed ||= below;
    const counts = Object.entries(count).map(([status, n]) => `${n} ${status}`).join(", ");
    console.log(`${group.name}: ${score.toFixed(2)} % (${counts})${below ? ` under ${minimumScore} %` : ""}`);
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = checkGroupScores("reports/mutation/mutation.json");
