// StrykerJS over the pure modules (no Pulumi engine), killed by their fast in-process unit
// tests only. `npm run mutation` (tools/mutation.mjs) runs the groups below one at a time,
// static mutants included; `npx stryker run` with this file alone runs them all at once and
// leaves the static ones out (each would reload the whole suite).
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

/**
 * What is mutated, and the unit tests that must kill its mutants; each group must score
 * `minimumScorePercent`. `strykerOptions` overrides the options below for that group's run.
 */
export const groups = [
  { name: "limits", mutate: ["infra/limits.ts"], tests: ["test/limits.test.ts"] },
  {
    name: "stacks",
    mutate: ["packages/stack-files/src/production.ts", "packages/stack-files/src/stackName.ts", "stacks/stackFileKeys.ts", "packages/stack-files/src/yamlSource.ts"],
    tests: ["test/production.test.ts", "test/stackFileKeys.test.ts"],
  },
  { name: "cost", mutate: ["tools/plan/cost.ts"], tests: ["test/cost.test.ts"] },
  {
    name: "stack-file-plans",
    mutate: [
      ...declarations("tools/envSync/index.ts", ["holdsSecret", "holdsAlias", "keyOf", "valueAt", "checkParents", "planSync"]),
      ...declarations("tools/promote/index.ts", ["pinnedImagePattern", "pinnedImage", "stageOf", "checkStep", "planPromotion"]),
      ...declarations("tools/common/stackFileWriter.ts", ["sameFile", "parseStackText", "productionTwin", "keepLineEndings", "lfText", "sameMeaning", "keepUntouchedLines", "stackTextProblems"]),
    ],
    tests: ["test/stackFilePlans.test.ts"],
  },
  // The lock, the durable writes and the writer's I/O steps (its pure steps are in
  // stack-file-plans), killed in this process: lockWriter.test.ts drives signals, full disks and
  // files changed under the lock by hand, so that no mutant needs a child process.
  {
    name: "lock-writer",
    mutate: [
      "tools/common/fileLock.ts",
      "tools/common/durableWrite.ts",
      "tools/common/interruptCleanup.ts",
      ...declarations("tools/common/stackFileWriter.ts", [
        "read", "stackTextOf", "statOrUndefined", "readStackSource", "stackFileEntries", "inspectTarget", "testPause", "fileTime", "backupFolderOf", "writeBackup",
        "writeSynced", "checkBeforeRename", "temporaryFileFor", "writeTemporary", "replaceTarget", "refuseRespelledKeys", "prepare", "refuseEnvironmentChange", "editStackFile",
      ]),
    ],
    tests: ["test/lockWriter.test.ts", "test/staleLocks.test.ts"],
  },
  // The components, killed through the program under mocks: componentArguments.test.ts runs
  // each committed stack once per test (nothing cached across mutants) and holds it to its
  // reviewed record; componentChecks.test.ts builds single components for the paths the
  // stacks do not take, components.test.ts kills the argument checks. Without the TypeScript
  // checker: it would compile @pulumi/aws's types (about 7 s and 700 MB) for every mutant, and
  // a mutant that does not type-check changes the program's resources, which the records see.
  {
    name: "components",
    mutate: [
      "infra/*.ts",
      "!infra/limits.ts", // the limits group
      "!infra/replaceOnChange.ts", // the offline plan's data, not a component
      "!infra/dashboard.ts", // not yet: its widgets would add about 200 mutants to a run of ~1,000
    ],
    tests: ["test/componentArguments.test.ts", "test/componentChecks.test.ts", "test/components.test.ts"],
    // --incremental: a later run tests again only the mutants whose code or tests changed.
    strykerOptions: { checkers: [], incremental: true, incrementalFile: "reports/mutation/components-incremental.json" },
  },
  // The data tool's logic: batching, closure, column rules, anonymisation, leak scan, names,
  // personal data in values. Killed in this process (logic.test.ts: a source, a sink and a
  // closure's client in memory), not through PGlite, whose start alone costs seconds.
  {
    name: "db-logic",
    mutate: ["anonymise", "leakScan", "multiMatcher", "columnRules", "personalData", "plan", "copy", "names"].map((module) => `packages/db/src/${module}.ts`),
    tests: ["logic", "logicEdges", "names", "personalData", "personalDataKinds"].map((file) => `packages/db/test/${file}.test.ts`),
    strykerOptions: { incremental: true, incrementalFile: "reports/mutation/db-logic-incremental.json" },
  },
  // index.ts only hands the rules to @pulumi/policy's PolicyPack: the protocol tests' job.
  { name: "policies", mutate: ["policies/**/*.ts", "!policies/index.ts"], tests: ["test/policies/*.test.ts"] },
];

/** The score each group must reach (tools/mutation.mjs checks it). */
export const minimumScorePercent = 90;

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
// A group run without the checker (components) needs no entry there.
const checkedGroups = groups.filter((group) => group.strykerOptions?.checkers?.length !== 0);
for (const file of checkedGroups.flatMap((group) => [...filesOf(group)])) {
  if (!checkedFiles.has(file)) throw new Error(`stryker.config.mjs: ${file} is mutated but ${checkerTsconfig} does not include it`);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  // .mocharc.js gives tsx (test/support/typescript.js) and the .ts extension; only the spec differs
  // (Stryker runs mocha serially: it ignores .mocharc.js's parallel and jobs).
  mochaOptions: { spec: groups.flatMap((group) => group.tests) },
  checkers: ["typescript"],
  tsconfigFile: checkerTsconfig,
  mutate,
  coverageAnalysis: "perTest",
  // A static mutant (module-level: tables, patterns, each rule's metadata) reloads every test
  // file of the run: with all groups' tests, about 830 of them took most of a 96-minute run.
  // tools/mutation.mjs runs them group by group instead.
  ignoreStatic: true,
  // A reload under load can outrun the default (dry run x 1.5 + 5 s) and score a mutant as
  // timed out, that is killed, without a test having seen it.
  timeoutMS: 15000,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: { allowEmojis: false, reportTests: false },
  thresholds: { high: 95, low: minimumScorePercent, break: minimumScorePercent },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
