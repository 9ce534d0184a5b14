// npm run mutation: StrykerJS over the pure modules (no Pulumi engine), killed by their fast
// in-process unit tests only. Not part of npm test or .ci/run: a run takes minutes.
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

/** What is mutated, and the unit tests that must kill its mutants. One line per group. */
const groups = [
  { mutate: ["infra/limits.ts"], tests: ["test/limits.test.ts"] },
  { mutate: ["stacks/production.ts", "stacks/stackName.ts", "stacks/stackFileKeys.ts", "stacks/yamlSource.ts"], tests: ["test/production.test.ts", "test/stackFileKeys.test.ts"] },
  { mutate: ["tools/plan/cost.ts"], tests: ["test/cost.test.ts"] },
  {
    mutate: [
      ...declarations("tools/envSync/index.ts", ["holdsSecret", "keyOf", "valueAt", "planSync"]),
      ...declarations("tools/promote/index.ts", ["pinnedImagePattern", "pinnedImage", "stageOf", "checkStep", "planPromotion"]),
      ...declarations("tools/common/stackFileWriter.ts", ["sameFile", "parseStackText", "productionTwin", "keepLineEndings", "lfText", "sameMeaning", "keepUntouchedLines", "stackTextProblems"]),
    ],
    tests: ["test/stackFilePlans.test.ts"],
  },
  // { mutate: ["policies/**/*.ts", "!policies/index.ts"], tests: ["test/policies/**/*.test.ts"] },
];

const mutate = groups.flatMap((group) => group.mutate);
const checkerTsconfig = "tsconfig.mutation.json";

// The checker fails on a mutant in a file its tsconfig does not name ("no watcher is
// registered"): say which file to add instead.
const checkedFiles = new Set(
  ts.parseJsonConfigFileContent(ts.readConfigFile(checkerTsconfig, ts.sys.readFile).config, ts.sys, ".").fileNames.map((file) => path.relative(".", file)),
);
for (const pattern of mutate.filter((p) => !p.startsWith("!"))) {
  for (const file of fs.globSync(pattern.replace(/:\d+-\d+$/, ""))) {
    if (!checkedFiles.has(file)) throw new Error(`stryker.config.mjs: ${file} is mutated but ${checkerTsconfig} does not include it`);
  }
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
  reporters: ["clear-text", "progress", "html"],
  clearTextReporter: { allowEmojis: false, reportTests: false },
  thresholds: { high: 90, low: 80, break: 90 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
