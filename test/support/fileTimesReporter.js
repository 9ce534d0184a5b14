// A mocha reporter for finding slow test files: dots as usual, then each file's wall time and the CPU time
// (user + sys) of this process and of the children it waited for, slowest first. Serial runs only: in
// parallel mode mocha replays a file's events after it ran, so the times would be meaningless.
//   npx mocha --reporter test/support/fileTimesReporter.js [files]
// FILE_TIMES_JSON=path also writes the list as JSON.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;
const ticksPerSecond = 100;

/** CPU seconds of this process and of its reaped children, from /proc (Linux). */
function cpuSeconds() {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after the command.
  const [own, ownSys, children, childrenSys] = fields.slice(11, 15).map(Number);
  return { self: (own + ownSys) / ticksPerSecond, children: (children + childrenSys) / ticksPerSecond };
}

class FileTimesReporter extends Mocha.reporters.Dot {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const times = [];
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent?.root) started.set(suite, { wallMs: performance.now(), cpu: cpuSeconds() });
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const start = started.get(suite);
      if (!start) return;
      const cpu = cpuSeconds();
      const file = path.relative(process.cwd(), suite.file);
      const entry = times.find((t) => t.file === file) ?? times[times.push({ file, wallS: 0, selfCpuS: 0, childCpuS: 0 }) - 1];
      entry.wallS += (performance.now() - start.wallMs) / 1000;
      entry.selfCpuS += cpu.self - start.cpu.self;
      entry.childCpuS += cpu.children - start.cpu.children;
    });
    runner.once(EVENT_RUN_END, () => {
      times.sort((a, b) => b.wallS - a.wallS);
      const total = (key) => times.reduce((sum, t) => sum + t[key], 0);
      const line = (t) => `${t.wallS.toFixed(1).padStart(7)} ${t.selfCpuS.toFixed(1).padStart(7)} ${t.childCpuS.toFixed(1).padStart(7)}  ${t.file}`;
      console.log(`\n   wall s   cpu s  child s  file`);
      for (const t of times) console.log(line(t));
      console.log(line({ file: "(total)", wallS: total("wallS"), selfCpuS: total("selfCpuS"), childCpuS: total("childCpuS") }));
      if (process.env.FILE_TIMES_JSON) fs.writeFileSync(process.env.FILE_TIMES_JSON, JSON.stringify(times, null, 2));
    });
  }
}

module.exports = FileTimesReporter;
