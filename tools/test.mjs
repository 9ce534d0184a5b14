// npm test [-- <mocha's arguments>]: the type-check (npm run typecheck) and mocha at the same
// time. The type-check uses one core for several seconds; run first, it kept mocha's workers
// waiting. Mocha's output comes as it runs, the type-check's after it; the exit status is
// mocha's, or the type-check's when mocha passed and the type-check did not.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Runs `npm run typecheck`, collecting its output, and resolves with its exit status and output. */
function typecheck() {
  const child = spawn("npm", ["run", "-s", "typecheck"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("close", (status, signal) => resolve({ status: status ?? (signal ? 1 : 0), output })));
}

/** Runs mocha with `args`, its output straight to this terminal, and resolves with its exit status. */
function mocha(args) {
  const child = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...args], { stdio: "inherit" });
  return new Promise((resolve) => child.on("close", (status, signal) => resolve(status ?? (signal ? 1 : 0))));
}

const [checked, tested] = await Promise.all([typecheck(), mocha(process.argv.slice(2))]);
if (checked.status !== 0) {
  process.stderr.write(`\nnpm run typecheck failed (exit ${checked.status}):\n${checked.output}`);
}
process.exitCode = tested !== 0 ? tested : checked.status;
