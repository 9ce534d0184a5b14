// Mocha's options for `npm test`: every test file, in parallel, one worker per core (each file
// runs in a worker process of its own; tests that share a file share its process).
// The slowest files start first so that no worker is left with a long file at the end; the
// list only orders, the glob below still finds every file once.
// Naming files or folders runs only those (mocha would add them to this spec, not replace it):
//   npm test -- test/limits.test.ts       npx mocha test/policies       npm test -- --grep "the cost"
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const slowestFirst = [
  "test/workflows.test.ts",
  "test/stackFileWriter.test.ts",
  "test/policies.test.ts",
  "test/plan.test.ts",
  "packages/db/test/subset.test.ts",
  "packages/db/test/export.test.ts",
  "test/planBase.test.ts",
  "packages/db/test/objects.test.ts",
  "test/bootstrap.test.ts",
  "packages/db/test/guards.test.ts",
  "packages/db/test/interrupt.test.ts",
  "test/stackFileAttacks.test.ts",
  "test/dockerfile.test.ts",
  "test/productionEverywhere.test.ts",
  "test/planComment.test.ts",
];

/** Every test file (the project's and each workspace package's), the slowest first, each once. */
function specFiles() {
  const all = ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"].flatMap((pattern) => fs.globSync(pattern, { cwd: __dirname })).sort();
  const first = slowestFirst.filter((file) => all.includes(file));
  return [...first, ...all.filter((file) => !first.includes(file))].map((file) => path.join(__dirname, file));
}

/** Mocha's options that take a value as the next argument (`--grep test` names no folder). */
const optionsWithValue = new Set(["-g", "--grep", "-f", "--fgrep", "-R", "--reporter", "-O", "--reporter-option", "-r", "--require",
  "-t", "--timeout", "-s", "--slow", "-j", "--jobs", "-u", "--ui", "--config", "--extension", "--ignore", "--exclude", "--file", "--watch-files", "--watch-ignore"]);

/** Test files, folders or globs named on mocha's command line. */
function namedOnCommandLine() {
  const args = process.argv.slice(2);
  return args.filter((arg, index) => !arg.startsWith("-") && !optionsWithValue.has(args[index - 1]) && (arg.includes("*") || arg.endsWith(".ts") || isFolder(arg)));
}

function isFolder(arg) {
  try {
    return fs.statSync(arg).isDirectory();
  } catch {
    return false;
  }
}

module.exports = {
  require: [path.join(__dirname, "test", "support", "typescript.js"), path.join(__dirname, "test", "support", "runTempFolder.js")],
  extension: ["ts"],
  spec: namedOnCommandLine().length > 0 ? [] : specFiles(),
  timeout: 120000,
  reporter: "spec",
  parallel: true,
  // One worker more than cores: workers wait on the processes their tests start (tools, packs, steps).
  jobs: os.availableParallelism() + 1,
};
