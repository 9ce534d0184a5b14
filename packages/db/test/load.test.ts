// Rows into PostgreSQL: COPY FROM STDIN on a real server, batched INSERTs on PGlite (whose
// socket server loses COPY's protocol synchronisation, electric-sql/pglite#911). Values stay
// exact either way; which loader runs is what the server says it is; a load that stops or
// fails leaves the target as it was. CI runs this file against Debian's PostgreSQL (COPY).
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { copyField, copyText } from "../src/copyFormat";
import { loaderKindFor } from "../src/postgresLoad";
import { PostgresSink } from "../src/postgresSink";
import { batchRows } from "../src/postgresSource";
import type { SchemaModel, TableModel } from "../src/schemaModel";
import { parseDatabaseUrl } from "../src/urls";
import { testKey, writeRules } from "./fixture";
import { giveBack, takeDatabase } from "./pglitePool";
import { type TestDatabase, createDatabase, runDb, serverUrl, tempFolder } from "./support";

const hostileColumns = ["note", "label", "fixed", "amount", "ratio", "small", "at", "day", "span", "doc", "raw_doc", "blob", "tags", "grid", "flag", "uid"];

const hostileTableSql = `CREATE TABLE hostile (
  id integer PRIMARY KEY, note text, label varchar(40), fixed char(6), amount numeric(38,18), ratio double precision,
  small real, at timestamptz, day date, span interval, doc jsonb, raw_doc json, blob bytea, tags text[], grid integer[],
  flag boolean, uid uuid)`;

/** Texts that end a COPY field or line, or look like COPY's own markers, or are not ASCII. */
const hostileTexts = [
  "tab\there", "new\nline", "cr\rlf\r\n", "back\\slash", "\\N", "\\.", "end\\", "", " spaced ", '"quoted", comma',
  "naïve 日本語 🎉 \u202e reversed", "\\\\\t\n\r", "NULL", "\\x41", "{}", "\u00a0\u2028\u2029",
];

/** Each row as the values of hostileColumns (after id), as text PostgreSQL parses, or null. */
const hostileRows: (string | Buffer | null)[][] = [
  [
    "tab\there", "new\nline", "ab", "12345678901234567890.123456789012345678", "1.7976931348623157e308", "3.4028235e+38",
    "2026-03-29 01:30:00.123456+00", "2026-02-28", "1 year 2 mons 3 days 04:05:06.789",
    '{"k": "x\\ny\\\\z\\t", "q": "\\"", "nested": [1, 2.50, {"a": null}], "u": "é\\u00e9"}',
    '{"a":1,  "a":2, "s": "back\\\\slash"}', Buffer.from([0x00, 0xff, 0x5c, 0x0a, 0x09, 0x0d, 0x2c]),
    '{"a,b","c\\"d","e\\\\f","",NULL,"{x}","tab\tin","nl\nin"}', "{{1,2},{3,4}}", "true", "0f8fad5b-d9cb-469f-a165-70867728950e",
  ],
  hostileColumns.map(() => null),
  ["", "", "", "0", "-0", "NaN", "infinity", "-infinity", "0", "{}", "[]", Buffer.alloc(0), "{}", "{}", "false", "00000000-0000-0000-0000-000000000000"],
  ["\\N", "\\.", "x", "NaN", "-Infinity", "1.5e-45", "0044-03-15 12:00:00+00 BC", "0001-01-01 BC", "-1 days +02:03:04", '"\\\\N"', '"\\t"', Buffer.from("\\.\n", "latin1"), '{"\\\\N",NULL}', "{NULL}", null, null],
  ...hostileTexts.map((text) => [text, text.slice(0, 40), null, "-0.000000000000000001", null, null, null, null, null, JSON.stringify({ text }), JSON.stringify(text), Buffer.from(text), `{${JSON.stringify(text)}}`, null, null, null]),
];

async function fillHostile(database: TestDatabase): Promise<void> {
  const client = await database.connect();
  try {
    await client.query(hostileTableSql);
    const params = ["$1", ...hostileColumns.map((_, i) => `$${i + 2}`)].join(", ");
    for (const [index, row] of hostileRows.entries()) await client.query(`INSERT INTO hostile VALUES (${params})`, [index + 1, ...row]);
  } finally {
    await client.end();
  }
}

const hostileRules = `roots:
  - table: hostile
columns:
  hostile.id: { transform: keep }
${hostileColumns.map((column) => `  hostile.${column}: { transform: keep }`).join("\n")}
`;

/** Every row as PostgreSQL's text of the whole record: distinguishes NULL from '', keeps every digit and byte. */
const recordText = (database: TestDatabase, table = "hostile") => database.query<{ r: string }>(`SELECT h::text AS r FROM ${table} h ORDER BY id`);

const realServerVersions = [
  "PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit",
  "PostgreSQL 17.4 on aarch64-unknown-linux-gnu, compiled by aarch64-unknown-linux-gnu-gcc (GCC) 10.5.0, 64-bit",
  "PostgreSQL 16.6 on x86_64-pc-linux-gnu, compiled by x86_64-pc-linux-gnu-gcc (GCC) 9.5.0, 64-bit",
];

describe("npm run db -- rows into PostgreSQL: COPY, or INSERT on PGlite", function () {
  describe("COPY's text format", () => {
    it("writes NULL as \\N, an empty string as nothing, and escapes backslash, newline, carriage return and tab", () => {
      assert.equal(copyField(null), "\\N");
      assert.equal(copyField(""), "");
      assert.equal(copyField("\\N"), "\\\\N");
      assert.equal(copyField("\\."), "\\\\.");
      assert.equal(copyField("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
      assert.equal(copyField('naïve "quoted", 🎉'), 'naïve "quoted", 🎉');
      assert.equal(copyText([["1", null, ""], ["2", "x\ty", "\\"]]), "1\t\\N\t\n2\tx\\ty\t\\\\\n");
      assert.equal(copyText([]), "");
    });

    it("is read back exactly by PostgreSQL's own COPY parser (PGlite in this process, COPY FROM '/dev/blob')", async () => {
      const db = await takeDatabase(); // in this process: COPY FROM '/dev/blob' needs PGlite's own interface
      try {
        await db.exec(`${hostileTableSql}; CREATE TABLE hostile_copy (LIKE hostile)`);
        const params = ["$1", ...hostileColumns.map((_, i) => `$${i + 2}`)].join(", ");
        for (const [index, row] of hostileRows.entries()) await db.query(`INSERT INTO hostile VALUES (${params})`, [index + 1, ...row]);
        // Each value as the server prints it, as the tool's source reads it.
        const printed = await db.query<string[]>(`SELECT id::text, ${hostileColumns.map((column) => `${column}::text`).join(", ")} FROM hostile ORDER BY id`, [], { rowMode: "array" });
        await db.query("COPY hostile_copy FROM '/dev/blob'", [], { blob: new Blob([copyText(printed.rows)]) });
        const records = async (table: string) => (await db.query<{ r: string }>(`SELECT h::text AS r FROM ${table} h ORDER BY id`)).rows;
        const original = await records("hostile");
        assert.equal(original.length, hostileRows.length);
        assert.deepEqual(await records("hostile_copy"), original);
      } finally {
        await giveBack(db);
      }
    });
  });

  describe("which loader", () => {
    it("COPY on PostgreSQL servers, INSERT where version() names PGlite or emscripten", () => {
      for (const version of realServerVersions) assert.equal(loaderKindFor(version), "copy", version);
      assert.equal(loaderKindFor("PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) 6.0.5, 32-bit"), "insert");
      assert.equal(loaderKindFor("PostgreSQL 17.5 on wasm32-unknown-emscripten, compiled by emcc"), "insert");
    });

    it(`the sink asks the server it writes to (${serverUrl ? "TEST_DATABASE_URL's PostgreSQL: COPY" : "PGlite: INSERT"})`, async () => {
      const target = await createDatabase();
      try {
        const sink = new PostgresSink(parseDatabaseUrl(target.url, "--to-url") as Extract<ReturnType<typeof parseDatabaseUrl>, { kind: "postgres" }>);
        assert.equal(sink.loading, undefined);
        await sink.prepare({ schemas: [], extensions: [], types: [], functions: [], sequences: [], tables: [], views: [] }, { replace: false });
        assert.equal(sink.loading, serverUrl ? "copy" : "insert");
        await sink.abort();
      } finally {
        await target.drop();
      }
    });
  });

  describe("hostile values, through subset", () => {
    let source: TestDatabase;
    let target: TestDatabase;
    let folder: string;
    let rules: string;
    const sides = (to: string) => ["--rules", rules, "--from-url", source.url, "--from-stack", "dev", "--to-url", to, "--to-stack", "staging"];

    before(async () => {
      source = await createDatabase();
      await fillHostile(source);
      target = await createDatabase();
      folder = tempFolder("load");
      rules = writeRules(folder, hostileRules);
    });
    after(async () => {
      await source?.drop();
      await target?.drop();
    });

    it(`into PostgreSQL, every value exactly as the source holds it (${serverUrl ? "COPY" : "INSERT on PGlite"})`, async () => {
      const result = await runDb(["subset", ...sides(target.url)], { DATA_SYNC_KEY: testKey });
      assert.equal(result.code, 0, result.stderr);
      const original = await recordText(source);
      assert.equal(original.length, hostileRows.length);
      assert.deepEqual(await recordText(target), original);
    });

    it("into SQLite, every text, NULL and byte exactly", async () => {
      const file = path.join(folder, "hostile.db");
      const result = await runDb(["subset", ...sides(`sqlite:///${file}`)], { DATA_SYNC_KEY: testKey });
      assert.equal(result.code, 0, result.stderr);
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        const rows = db.prepare("SELECT id, note, label, blob FROM hostile ORDER BY id").all() as { id: number; note: string | null; label: string | null; blob: Uint8Array | null }[];
        assert.deepEqual(
          rows.map((row) => [row.id, row.note, row.label, row.blob === null ? null : Buffer.from(row.blob)]),
          hostileRows.map((row, index) => [index + 1, row[0], row[1], row[11]]),
        );
        // The build file's pragmas (no journal, no sync) are not the published file's.
        assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "delete");
      } finally {
        db.close();
      }
    });
  });

  describe("a load that stops or fails leaves the target as it was", () => {
    const table: TableModel = { schema: "public", name: "numbers", columns: [{ name: "n", type: "integer", typeName: "int4", category: "N", notNull: true }], constraints: [], indexes: [], requires: [] };
    const schema: SchemaModel = { schemas: [], extensions: [], types: [], functions: [], sequences: [], tables: [table], views: [] };
    const batch = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => [String(from + i)]);
    let target: TestDatabase;
    const sinkOf = () => new PostgresSink(parseDatabaseUrl(target.url, "--to-url") as Extract<ReturnType<typeof parseDatabaseUrl>, { kind: "postgres" }>);
    const targetTables = async () => (await target.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((row) => row.name);

    before(async () => {
      target = await createDatabase();
      await target.query("CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('before')");
    });
    after(async () => target?.drop());

    it("stopped between two batches (as SIGINT or SIGTERM stops a run), with a COPY under way: nothing is written", async () => {
      const sink = sinkOf();
      await sink.prepare(schema, { replace: true });
      await sink.writeRows(table, batch(1, batchRows));
      await sink.writeRows(table, batch(batchRows + 1, 2 * batchRows));
      await sink.abort();
      await sink.abort(); // a second abort is harmless
      assert.deepEqual(await targetTables(), ["keep_me"]);
      assert.deepEqual(await target.query("SELECT note FROM keep_me"), [{ note: "before" }]);
    });

    it("a value the server refuses in a later batch fails the load with the server's message", async () => {
      const sink = sinkOf();
      await sink.prepare(schema, { replace: true });
      const load = async () => {
        await sink.writeRows(table, batch(1, batchRows));
        await sink.writeRows(table, [...batch(batchRows + 1, 2 * batchRows - 1), ["not a number"]]);
        await sink.writeRows(table, batch(2 * batchRows + 1, 3 * batchRows));
        await sink.complete();
      };
      // COPY reports it when the server has read that far: at a later write, or at the end.
      await assert.rejects(load(), { message: 'invalid input syntax for type integer: "not a number"' });
      await sink.abort();
      assert.deepEqual(await targetTables(), ["keep_me"]);
    });

    it("a load that completes is committed whole", async () => {
      const sink = sinkOf();
      await sink.prepare(schema, { replace: true });
      for (let start = 1; start <= 3 * batchRows; start += batchRows) await sink.writeRows(table, batch(start, start + batchRows - 1));
      await sink.complete();
      assert.deepEqual(await target.query("SELECT count(*)::int AS n, sum(n)::int AS total FROM numbers"), [{ n: 3 * batchRows, total: (3 * batchRows * (3 * batchRows + 1)) / 2 }]);
      assert.deepEqual(await targetTables(), ["numbers"]);
    });
  });
});
