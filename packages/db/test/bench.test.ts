// The data bench's own logic, never its speed (a timed test on a shared machine proves
// nothing): which reference programs it finds and what it says when one is missing, and
// the goal lines it prints from its medians.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BenchResult, benchLabels, verdicts } from "../src/bench";
import { findPostgresTools, findSqlite3, referenceLabels } from "../src/benchReferences";
import { tempFolder } from "./support";

/** A folder with programs that print `version` for --version. */
function fakePrograms(version: string, names: string[]): string {
  const folder = tempFolder("bench-bin");
  for (const name of names) fs.writeFileSync(path.join(folder, name), `#!/bin/sh\necho '${version}'\n`, { mode: 0o755 });
  return folder;
}

const pgliteVersion = "PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc, 32-bit";
const serverVersion = "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit";

describe("npm run bench -- --db: its references and verdicts", () => {
  const nowhere = { searchPath: "", postgresRoot: "/nonexistent" };

  it("finds pg_dump and psql on PATH when pg_dump is the server's major version or newer", () => {
    const bin = fakePrograms("pg_dump (PostgreSQL) 17.2 (Debian 17.2-1)", ["pg_dump", "psql"]);
    assert.deepEqual(findPostgresTools(15, { ...nowhere, searchPath: bin }), { pgDump: path.join(bin, "pg_dump"), psql: path.join(bin, "psql") });
    assert.deepEqual(findPostgresTools(17, { ...nowhere, searchPath: bin }), { pgDump: path.join(bin, "pg_dump"), psql: path.join(bin, "psql") });
  });

  it("finds them in Debian's newest /usr/lib/postgresql/<major>/bin when PATH has none", () => {
    const root = tempFolder("bench-pg");
    for (const major of ["9", "15", "13"]) {
      fs.mkdirSync(path.join(root, major, "bin"), { recursive: true });
      for (const name of ["pg_dump", "psql"]) fs.writeFileSync(path.join(root, major, "bin", name), `#!/bin/sh\necho 'pg_dump (PostgreSQL) ${major}.1'\n`, { mode: 0o755 });
    }
    assert.deepEqual(findPostgresTools(15, { searchPath: "", postgresRoot: root }), { pgDump: path.join(root, "15", "bin", "pg_dump"), psql: path.join(root, "15", "bin", "psql") });
  });

  it("says what to install when they are missing or older than the server", () => {
    assert.deepEqual(findPostgresTools(15, nowhere), { missing: "pg_dump and psql are not installed: apt-get install postgresql-client" });
    const old = fakePrograms("pg_dump (PostgreSQL) 13.16", ["pg_dump", "psql"]);
    assert.deepEqual(findPostgresTools(17, { ...nowhere, searchPath: old }), { missing: "pg_dump 13 cannot dump a PostgreSQL 17 server: apt-get install postgresql-client-17" });
    const onlyDump = fakePrograms("pg_dump (PostgreSQL) 17.2", ["pg_dump"]);
    assert.deepEqual(findPostgresTools(17, { ...nowhere, searchPath: onlyDump }), { missing: "pg_dump and psql are not installed: apt-get install postgresql-client" });
    assert.deepEqual(findSqlite3(nowhere), { missing: "sqlite3 is not installed: apt-get install sqlite3" });
    const sqlite = fakePrograms("3.40.1", ["sqlite3"]);
    assert.equal(findSqlite3({ ...nowhere, searchPath: sqlite }), path.join(sqlite, "sqlite3"));
  });

  it("names the PostgreSQL rows by their loader: COPY on a server, INSERT on PGlite", () => {
    const sizes = { orders: 1_000_000, smallOrders: 10_000 };
    assert.equal(benchLabels(sizes, serverVersion).postgresLarge, "whole orders table, 1,000,000 orders -> PostgreSQL (COPY)");
    assert.equal(benchLabels(sizes, pgliteVersion).postgresSmall, "whole orders table, 10,000 orders -> PostgreSQL (PGlite: INSERT)");
  });

  it("prints each goal with the measured value, and what was not measured", () => {
    const labels = benchLabels({ orders: 1_000_000, smallOrders: 10_000 }, serverVersion);
    const result = (label: string, rows: number, wallS: number, peakMb: number): BenchResult => ({ label, rows, wallS, rowsPerS: rows / wallS, peakMb });
    const results = [
      result(labels.sqliteSmall, 20_010, 0.5, 95),
      result(labels.sqliteLarge, 1_100_010, 8, 110),
      result(labels.postgresSmall, 20_010, 0.8, 90),
      result(labels.postgresLarge, 1_100_010, 10, 101),
      result(referenceLabels.sqliteRows, 1_100_010, 5, 6),
      result(referenceLabels.postgresRows, 1_100_010, 4, 25),
    ];
    assert.deepEqual(verdicts(results, labels, ["the X reference: why"]), [
      "Into PostgreSQL: 110,001 rows/s (goal: at least 100,000).",
      "Into PostgreSQL: 2.50 times the wall time of pg_dump --data-only | psql (rows only) (goal: at most 1.5).",
      "Into SQLite: 1.60 times the wall time of sqlite3 .import of CSV (rows only) (goal: at most 2).",
      "Peak memory into SQLite, 1,000,000 orders minus 10,000: 15 MB (goal: within 50 MB).",
      "Peak memory into PostgreSQL, 1,000,000 orders minus 10,000: 11 MB (goal: within 50 MB).",
      "Not measured: the X reference: why.",
    ]);
    assert.deepEqual(verdicts(results.slice(0, 2), labels, []), ["Peak memory into SQLite, 1,000,000 orders minus 10,000: 15 MB (goal: within 50 MB)."]);
  });
});
