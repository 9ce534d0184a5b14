// One temporary folder per mocha run: TMPDIR points into it for the run's workers and every
// process a test starts, so each mkdtemp lands there, and the run removes it at the end.
// Without it every run left some 500 folders in /tmp, and each stack-file read under /tmp got
// slower (the reader lists every folder above the stack files, for an enclosing project).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

let runFolder;

exports.mochaGlobalSetup = function () {
  runFolder = fs.mkdtempSync(path.join(os.tmpdir(), "trading-bot-tests-"));
  process.env.TMPDIR = runFolder;
};

exports.mochaGlobalTeardown = function () {
  // A runner that loads this file without running the setup (Stryker's) has no folder to remove.
  if (runFolder !== undefined) fs.rmSync(runFolder, { recursive: true, force: true, maxRetries: 3 });
};
