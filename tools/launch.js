#!/usr/bin/env node
// Runs a command-line tool of this project (tools/<name>.ts or tools/<name>/index.ts) from a JavaScript copy of
// the sources, made once per version of them: no TypeScript compiler on the hot path.
// Node's compile cache keeps the parsed dependencies (@pulumi/aws is large) between runs.
//   node tools/launch.js <tool> [args...]
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const { enableCompileCache } = require("node:module");
const path = require("node:path");

// The checkout this launcher belongs to, by its real path: the project every tool works on.
const root = fs.realpathSync(path.resolve(__dirname, ".."));
const cacheRoot = path.join(root, "node_modules", ".cache", "trading-bot-tools");
// packages/: the data tool and the modules it shares with the program (stack files, the tools'
// command line), imported by relative paths, so they are transpiled (and hashed) with the rest.
const sourceFolders = ["infra", "stacks", "tools", "policies", "bootstrap", "packages/db/src", "packages/stack-files/src", "packages/tool-common/src"];
/** Files the copy needs besides the transpiled sources. */
const plainFiles = [
  "policies/package.json",
  "policies/PulumiPolicy.yaml",
  "bootstrap/policies/package.json",
  "bootstrap/policies/PulumiPolicy.yaml",
  "tools/engine/exitWithParent.js",
];

const compileCache = path.join(cacheRoot, "v8");
enableCompileCache?.(compileCache);
// The policy pack runs in a child process: let it use the cache too.
process.env.NODE_COMPILE_CACHE ??= compileCache;

function listSources(folder) {
  return fs.readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : listSources(relative);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** The folder holding the JavaScript copy of the current sources. */
function transpiledTree() {
  const sources = sourceFolders.flatMap(listSources).sort();
  const hash = crypto.createHash("sha256");
  for (const file of [...sources, ...plainFiles]) hash.update(file).update(fs.readFileSync(path.join(root, file)));
  const target = path.join(cacheRoot, `js-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(target)) return target;

  const ts = require("typescript");
  const staging = `${target}.${process.pid}.tmp`;
  for (const file of sources) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(root, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    fs.mkdirSync(path.join(staging, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(staging, file.replace(/\.ts$/, ".js")), outputText);
  }
  for (const file of plainFiles) fs.copyFileSync(path.join(root, file), path.join(staging, file));
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another run made the same copy first.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
  return target;
}

/** Tools that live in a package of their own: the name -> the entry point's path without .ts. */
const packageTools = { db: "packages/db/src/index" };

/** `plan` -> tools/plan/index.ts, `bench` -> tools/bench.ts, `plan/summary` -> tools/plan/summary.ts, `db` -> packages/db/src/index.ts. */
function toolModule(tool) {
  if (!tool || !/^[a-z][a-zA-Z]*(\/[a-z][a-zA-Z]*)?$/.test(tool)) return undefined;
  if (Object.hasOwn(packageTools, tool)) return packageTools[tool];
  return [`tools/${tool}/index`, `tools/${tool}`].find((candidate) => fs.existsSync(path.join(root, `${candidate}.ts`)));
}

const [tool, ...args] = process.argv.slice(2);
const modulePath = toolModule(tool);
if (!modulePath) {
  console.error(`usage: node tools/launch.js <tool> [args]; no tool "${tool ?? ""}" in tools/`);
  process.exit(2);
}
require(path.join(transpiledTree(), `${modulePath}.js`))
  .main(args, { projectRoot: root })
  .then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
