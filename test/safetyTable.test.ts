// The README's "What keeps prod safe" table names tests: each must exist, under that title.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./helpers";

/** The table's rows: each guarantee with the test titles it quotes, by file (under test/, or packages/<name>/test/... from the root). */
function safetyTable(): { guarantee: string; tests: { file: string; title: string }[] }[] {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = /^## What keeps prod safe\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
  const rows = section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| guarantee"));
  return rows.map((row) => {
    const [guarantee, heldBy] = row.slice(2, -2).split(" | ");
    // Groups are `file.test.ts`: "title", "title"; a title may itself hold "; ".
    const tests = (heldBy ?? "").split(/; (?=`)/).flatMap((group) => {
      const [, file, titles] = /^`((?:packages\/[\w.-]+\/test\/)?[\w.-]+(?:\/[\w.-]+)?\.test\.ts)`: (.*)$/.exec(group) ?? [];
      return file ? [...titles.matchAll(/"([^"]+)"/g)].map(([, title]) => ({ file, title })) : [{ file: "?", title: group }];
    });
    return { guarantee, tests };
  });
}

/** A file the table names, from the root: test/'s own by their path under test/, a package's by theirs from the root. */
const fromRoot = (file: string) => (file.startsWith("packages/") ? file : path.join("test", file));

/** Every `it(...)` title of each test file, as mocha sees them (loops expanded), without running them. */
function titlesIn(files: string[]): Map<string, Set<string>> {
  const run = spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules", "mocha", "bin", "mocha.js"), "--no-config", "-r", "ts-node/register/transpile-only", "--dry-run", "--reporter", "json", ...files.map(fromRoot)],
    // The JSON report of the files the table names is over spawnSync's default 1 MB.
    { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(run.status, 0, run.error ? String(run.error) : run.stderr);
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as { tests: { title: string; file: string }[] };
  const titles = new Map(files.map((file) => [file, new Set<string>()]));
  const tableName = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/").replace(/^test\//, "");
  for (const test of report.tests) titles.get(tableName(test.file))?.add(test.title);
  return titles;
}

describe('the README\'s "What keeps prod safe" table', () => {
  it("names, for every guarantee, tests that exist under exactly those titles", () => {
    const rows = safetyTable();
    assert.ok(rows.length >= 10, `expected the table's rows, found ${rows.length}`);
    const files = [...new Set(rows.flatMap(({ tests }) => tests.map(({ file }) => file)))].filter((file) => fs.existsSync(path.join(repoRoot, fromRoot(file))));
    const titles = titlesIn(files);
    for (const { guarantee, tests } of rows) {
      assert.ok(tests.length > 0, `"${guarantee}" names no test`);
      for (const { file, title } of tests) {
        assert.notEqual(file, "?", `"${guarantee}": write each test as \`file.test.ts\`: "title"; found ${title}`);
        assert.ok(titles.get(file)?.has(title), `"${guarantee}": ${fromRoot(file)} has no test titled "${title}"`);
      }
    }
  });
});
