// The "What keeps prod safe" table of docs/safety.md names tests: each must exist, under that title.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";
import { repoRoot } from "./helpers";

/** The table's rows: each guarantee with the test titles it quotes, by file (under test/, or packages/<name>/test/... from the root). */
function safetyTable(): { guarantee: string; tests: { file: string; title: string }[] }[] {
  const page = fs.readFileSync(path.join(repoRoot, "docs", "safety.md"), "utf8");
  const rows = page.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| guarantee"));
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

/** Every test of a suite and of the suites under it. */
const testsOf = (suite: Mocha.Suite): Mocha.Test[] => [...suite.tests, ...suite.suites.flatMap(testsOf)];

/**
 * Every `it(...)` title of each test file, as mocha sees them (loops expanded), without running them: the files
 * loaded into a mocha of their own in this process (a mocha child would start Node.js and compile every module
 * again). A file this process has loaded already is loaded afresh, and require's cache is then put back as it
 * was, so that a file this process runs later still defines its tests.
 */
async function titlesIn(files: string[]): Promise<Map<string, Set<string>>> {
  const paths = files.map((file) => path.join(repoRoot, fromRoot(file)));
  const cachedBefore = paths.map((file) => require.cache[file]);
  for (const file of paths) delete require.cache[file];
  const mocha = new Mocha();
  for (const file of paths) mocha.addFile(file);
  try {
    await mocha.loadFilesAsync();
  } finally {
    paths.forEach((file, index) => {
      if (cachedBefore[index]) require.cache[file] = cachedBefore[index];
      else delete require.cache[file];
    });
  }
  const titles = new Map(files.map((file) => [file, new Set<string>()]));
  const tableName = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/").replace(/^test\//, "");
  for (const test of testsOf(mocha.suite)) titles.get(tableName(test.file ?? ""))?.add(test.title);
  return titles;
}

describe('the "What keeps prod safe" table of docs/safety.md', () => {
  it("names, for every guarantee, tests that exist under exactly those titles", async () => {
    const rows = safetyTable();
    assert.ok(rows.length >= 10, `expected the table's rows, found ${rows.length}`);
    const files = [...new Set(rows.flatMap(({ tests }) => tests.map(({ file }) => file)))].filter((file) => fs.existsSync(path.join(repoRoot, fromRoot(file))));
    const titles = await titlesIn(files);
    for (const { guarantee, tests } of rows) {
      assert.ok(tests.length > 0, `"${guarantee}" names no test`);
      for (const { file, title } of tests) {
        assert.notEqual(file, "?", `"${guarantee}": write each test as \`file.test.ts\`: "title"; found ${title}`);
        assert.ok(titles.get(file)?.has(title), `"${guarantee}": ${fromRoot(file)} has no test titled "${title}"`);
      }
    }
  });
});
