// The db tool on a schema it did not grow up with (objectsFixture.ts: two schemas, partitions,
// domains, an enum, a function in a CHECK, a trigger, identity, serial and generated columns, an
// unowned sequence, views, quoted names, personal data in jsonb and in ordinary-looking
// columns): every object copied right or refused by name, the leaks of issue 21 refused before
// anything is written, `rules --init` golden-tested. One source for the whole file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { testKey, writeRules } from "./fixture";
import { fillObjectsSource, objectsRulesYaml } from "./objectsFixture";
import { type TestDatabase, connectionRecorder, createDatabase, findPgDump, runDb, schemaDump, schemaOf, serverUrl, tempFolder } from "./support";

const golden = path.join(__dirname, "golden", "rules-init.yaml");

function sqliteRows(file: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/** What SQLite cannot hold of the objects schema's subset, one line each. */
const subsetNotes = [
  `"Customer".e_mail: check email_address_check of its domain email_address dropped (not SQLite's dialect)`,
  "settlements.amount: numeric(38,18) becomes NUMERIC (an integer or an 8-byte float): beyond 15 significant digits precision is lost",
  "settlements.order_no: default nextval('order_no_seq'::regclass) dropped (SQLite has no sequences)",
  "trading.trades.qty: trading.quantity becomes NUMERIC (an integer or an 8-byte float): beyond 15 significant digits precision is lost",
  "trading.trades.order_no: default nextval('order_no_seq'::regclass) dropped (SQLite has no sequences)",
  "trading.trades.trades_symbol_check: check CHECK (trading.is_symbol(symbol)) dropped (not SQLite's dialect)",
  'schema trading: SQLite has no schemas; its tables are named "trading.<table>"',
  "extension citext: not in SQLite; columns of its types hold their text (citext compares with case in SQLite)",
  "trading.trades: partitioned table becomes one table holding the rows of its partitions (trading.trades_2026_01, trading.trades_2026_02, trading.trades_later)",
  "domain email_address: columns of its base type text, with its checks where SQLite accepts them",
  "domain trading.quantity: columns of its base type numeric(38,18), with its checks where SQLite accepts them",
  "enum trading.venue_kind: TEXT columns with a CHECK of its labels",
  "function trading.is_symbol(candidate text): not copied (SQLite has no stored functions)",
  "function trading.touch(): not copied (SQLite has no stored functions)",
  "sequence contacts_id_seq: dropped (an INTEGER PRIMARY KEY numbers its own rows)",
  "sequence order_no_seq: dropped (SQLite has no sequences; the defaults that draw from it are dropped)",
  "sequence settlements_id_seq: dropped (an INTEGER PRIMARY KEY numbers its own rows)",
  "trading.venues.venues_touch: trigger not copied (SQLite cannot run it)",
];

const notCopiedViews =
  "db: not copied: view customer_trades (a subset copies tables' rows; schema copies views)\n" +
  "db: not copied: materialized view trading.daily_volume (a subset copies tables' rows; schema copies views)\n";

describe("npm run db -- a schema it never saw: two schemas, partitions, domains, views, quoted names", function () {
  let source: TestDatabase;
  let target: TestDatabase;
  let folder: string;
  let rules: string;
  /** Every source value the rules change: none may reach a target. */
  let changedValues: string[];
  const from = () => ["--from-url", source.url, "--from-stack", "dev"];
  const to = (url: string) => ["--to-url", url, "--to-stack", "staging"];
  const subset = (url: string, file = rules, ...extra: string[]) => runDb(["subset", "--rules", file, ...extra, ...from(), ...to(url)], { DATA_SYNC_KEY: testKey });
  const verify = (url: string, file = rules) => runDb(["verify", "--type", "subset", "--rules", file, ...from(), ...to(url)]);

  before(async () => {
    source = await createDatabase();
    await fillObjectsSource(source);
    target = await createDatabase();
    folder = tempFolder("objects");
    rules = writeRules(folder, objectsRulesYaml);
    const values = await source.query<{ v: string }>(`
      SELECT full_name AS v FROM "Customer" UNION SELECT e_mail FROM "Customer" UNION SELECT mobile FROM "Customer" UNION SELECT iban FROM "Customer"
      UNION SELECT profile #>> '{contact,email}' FROM "Customer" UNION SELECT e_mail FROM contacts UNION SELECT mobile FROM contacts UNION SELECT email_alias::text FROM contacts
      UNION SELECT session_blob FROM api_sessions UNION SELECT opaque FROM api_sessions UNION SELECT payment_ref FROM api_sessions`);
    changedValues = values.map((row) => row.v);
  });
  after(async () => {
    await source?.drop();
    await target?.drop();
  });

  describe("schema", () => {
    const title = serverUrl ? "copies every object into PostgreSQL; pg_dump --schema-only of both agree" : "copies every object into PostgreSQL: the copy's catalog is the source's";
    it(title, async () => {
      const result = await runDb(["schema", ...from(), ...to(target.url)]);
      assert.deepEqual(result, { code: 0, stdout: `Copied the schema (9 tables, 3 types, 2 functions, 3 sequences, 2 views) into ${target.shown}.\n`, stderr: "" });
      assert.deepEqual(await schemaOf(target), await schemaOf(source));
      if (serverUrl) {
        const pgDump = findPgDump();
        assert.ok(pgDump, "TEST_DATABASE_URL is set but this machine has no pg_dump");
        const dump = schemaDump(pgDump, target.url);
        assert.match(dump, /ATTACH PARTITION trading\.trades_later DEFAULT/);
        assert.equal(dump, schemaDump(pgDump, source.url));
      }
      assert.deepEqual(await runDb(["verify", "--type", "schema", ...from(), ...to(target.url)]), { code: 0, stdout: `verify --type schema: ${target.shown} agrees with the source\n`, stderr: "" });
      // The trigger and its function came along; the materialized view is empty, as pg_dump --schema-only leaves it.
      await target.query("INSERT INTO trading.venues (name, kind) VALUES ('x', 'spot'); UPDATE trading.venues SET name = 'y'");
      assert.deepEqual(await target.query("SELECT updated_at IS NOT NULL AS touched FROM trading.venues"), [{ touched: true }]);
      assert.deepEqual(await target.query("SELECT ispopulated FROM pg_matviews"), [{ ispopulated: false }]);
    });

    it("into SQLite lists what SQLite cannot hold, one line each; a partitioned table is one table; SQLite computes the generated column", async () => {
      const file = path.join(folder, "schema.db");
      const result = await runDb(["schema", ...from(), ...to(`sqlite:///${file}`)]);
      assert.equal(result.code, 0, result.stderr);
      const views = ["view customer_trades: not copied (SQLite cannot run PostgreSQL's query)", "materialized view trading.daily_volume: not copied (SQLite cannot run PostgreSQL's query)"];
      assert.equal(result.stderr, [...subsetNotes, ...views].map((note) => `db: SQLite cannot hold it as is: ${note}\n`).join(""));
      assert.deepEqual(sqliteRows(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((row) => row.name), ["Customer", "api_sessions", "contacts", "settlements", "trading.trades", "trading.venues"]);
      const db = new DatabaseSync(file);
      db.exec(`INSERT INTO "Customer" ("user id", full_name, e_mail) VALUES (1, 'Zoé Smith', 'Zoe@X.Example')`);
      assert.deepEqual({ ...db.prepare(`SELECT search_text FROM "Customer"`).get() }, { search_text: "zoé smith zoe@x.example" });
      assert.throws(() => db.exec(`INSERT INTO "trading.venues" (id, name, kind) VALUES (1, 'x', 'future')`), /CHECK constraint failed/);
      assert.throws(() => db.exec(`INSERT INTO "trading.trades" (id, traded_at, venue_id, symbol) VALUES (1, 'now', 1, 'BTCUSDT')`), /NOT NULL constraint failed: trading\.trades\.qty/);
      db.close();
    });
  });

  describe("subset", () => {
    /** The trades a subset must hold: the latest 30, and those the first 20 settlements reference. */
    const expectedTrades = () =>
      source.query<{ id: string }>(`SELECT id::text FROM trading.trades WHERE id IN (SELECT id FROM trading.trades ORDER BY traded_at DESC LIMIT 30)
        OR (id, traded_at) IN (SELECT trade_id, traded_at FROM settlements ORDER BY id LIMIT 20) ORDER BY id`);
    const copied = (url: string) =>
      `Copied 203 anonymised rows of 6 tables into ${url}:\n  "Customer": 40\n  api_sessions: 30\n  contacts: 60\n  settlements: 20\n  trading.trades: 50\n  trading.venues: 3\n`;

    it("into PostgreSQL: complete (a root on a partitioned table, a key into it, keys into another schema), exact, clean", async () => {
      const result = await subset(target.url, rules, "--replace");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, copied(target.shown));
      assert.ok(result.stderr.startsWith(notCopiedViews), result.stderr);
      const trades = await target.query<{ id: string; partition: string }>("SELECT id::text, tableoid::regclass::text AS partition FROM trading.trades ORDER BY id");
      assert.deepEqual(trades.map((row) => row.id), (await expectedTrades()).map((row) => row.id));
      assert.deepEqual([...new Set(trades.map((row) => row.partition))], ["trading.trades_2026_01", "trading.trades_later"], "each row in its partition");
      // numeric(38,18) to the last digit; the generated column computed from the pseudonyms.
      const amounts = "SELECT amount::text FROM settlements ORDER BY id";
      assert.deepEqual(await target.query(amounts), (await source.query(amounts)).slice(0, 20));
      assert.deepEqual(await target.query(`SELECT count(*)::int AS n FROM "Customer" WHERE search_text <> lower(full_name || ' ' || e_mail) OR full_name NOT LIKE 'customer_%'`), [{ n: 0 }]);
      assert.deepEqual(await verify(target.url), { code: 0, stdout: `verify --type subset: ${target.shown} agrees with the source\n`, stderr: "" });
      const text = JSON.stringify(await target.query(`SELECT (SELECT json_agg(c) FROM "Customer" c) AS a, (SELECT json_agg(c) FROM contacts c) AS b, (SELECT json_agg(s) FROM api_sessions s) AS c`)).toLowerCase();
      assert.deepEqual(changedValues.filter((value) => text.includes(value.toLowerCase())), []);
    });

    it("into PostgreSQL: inserts after the copy succeed, every sequence past the copied values (identity, serial, one no column owns)", async () => {
      const [before] = await target.query<{ order_no: string; user_id: string }>(`SELECT (SELECT max(order_no) FROM (SELECT order_no FROM settlements UNION ALL SELECT order_no FROM trading.trades) o)::text AS order_no, (SELECT max("user id") FROM "Customer")::text AS user_id`);
      const [added] = await target.query<{ order_no: string; user_id: string }>(`
        WITH c AS (INSERT INTO "Customer" (full_name, e_mail) VALUES ('n', 'n@x.example') RETURNING "user id"),
             s AS (INSERT INTO settlements (trade_id, traded_at, amount) SELECT id, traded_at, 1 FROM trading.trades ORDER BY id LIMIT 1 RETURNING order_no)
        SELECT (SELECT order_no FROM s)::text AS order_no, (SELECT "user id" FROM c)::text AS user_id`);
      assert.ok(BigInt(added.order_no) > BigInt(before.order_no) && BigInt(added.user_id) > BigInt(before.user_id), JSON.stringify({ before, added }));
      await target.query("INSERT INTO trading.venues (name, kind) VALUES ('new venue', 'perp'); INSERT INTO contacts (customer_id, label) VALUES (1, 'new')");
    });

    it("into SQLite: complete, clean, the partitioned table as one table, the generated column SQLite's own", async () => {
      const file = path.join(folder, "subset.db");
      const result = await subset(`sqlite:///${file}`);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, copied(`sqlite:///${file}`));
      assert.ok(result.stderr.includes(subsetNotes.map((note) => `db: SQLite cannot hold it as is: ${note}\n`).join("")), result.stderr);
      assert.deepEqual(sqliteRows(file, `SELECT CAST(id AS TEXT) AS id FROM "trading.trades" ORDER BY id`), await expectedTrades());
      assert.deepEqual(sqliteRows(file, `SELECT count(*) AS n FROM "Customer" WHERE search_text IS NOT lower(full_name || ' ' || e_mail)`), [{ n: 0 }]);
      assert.deepEqual(await verify(`sqlite:///${file}`), { code: 0, stdout: `verify --type subset: sqlite:///${file} agrees with the source\n`, stderr: "" });
    });

    it("verify finds a changed source value that the target holds in another case or inside a JSON string", async () => {
      const file = path.join(folder, "leaky.db");
      assert.equal((await subset(`sqlite:///${file}`)).code, 0);
      const [{ e_mail: email, phone }] = await source.query<{ e_mail: string; phone: string }>(`SELECT e_mail, profile #>> '{contact,phone}' AS phone FROM "Customer" WHERE "user id" = 7`);
      const db = new DatabaseSync(file);
      db.prepare("UPDATE contacts SET label = ? WHERE id = 1").run(`see ${email.toLowerCase()}`);
      db.prepare(`UPDATE "Customer" SET profile = ? WHERE "user id" = 3`).run(JSON.stringify({ contact: { phone } }));
      db.close();
      const result = await verify(`sqlite:///${file}`);
      assert.equal(result.code, 1);
      // The profile's address is the e-mail in lower case: found where the e-mail is.
      assert.equal(
        result.stdout,
        [
          '"Customer".e_mail: 1 source value found in the target (contacts.label)',
          '"Customer".mobile: 1 source value found in the target ("Customer".profile)',
          '"Customer".profile: 1 source value found in the target ("Customer".profile)',
          '"Customer".profile: 1 source value found in the target (contacts.label)',
          "",
        ].join("\n"),
      );
      assert.ok(!result.stdout.toLowerCase().includes(email.toLowerCase()) && !result.stdout.includes(phone));
    });
  });

  describe("the leaks of issue 21 are refused before anything is written", () => {
    /** The objects rules with some lines removed and others added. */
    const edited = (drop: RegExp | undefined, add = "") => objectsRulesYaml.split("\n").filter((line) => !drop || !drop.test(line)).join("\n") + add;
    const refused = async (rulesText: string) => {
      const file = writeRules(folder, rulesText, "leak.yaml");
      const out = path.join(folder, "leak.db");
      const result = await subset(`sqlite:///${out}`, file);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(fs.existsSync(out), false, "nothing was written");
      assert.deepEqual(changedValues.filter((value) => result.stderr.includes(value)), [], "no value is shown");
      return result.stderr.replaceAll(file, "RULES").replace(notCopiedViews, "").replace(/^db: sampled \d+ kept text columns for personal data in [\d.]+ s\n/, "");
    };
    const personal = (lines: string[]) =>
      `db: refusing to copy: ${lines.length} kept column${lines.length === 1 ? " holds" : "s hold"} values that look personal, in a sample of the source (values not shown); ` +
      `give each a transform (a json column: { transform: json, paths: { $.contact.email: email } }), or, if they are not personal, acknowledge it: ` +
      `{ transform: keep, containsPersonalData: false, reason: "..." }\n${lines.map((line) => `  ${line}\n`).join("")}`;

    it("columns without a rule, whatever their names (contacts.e_mail, contacts.mobile)", async () => {
      assert.equal(
        await refused(edited(/contacts\./)),
        "db: refusing to copy: 5 copied columns have no rule (every copied column needs one; npm run db -- rules --init writes a complete file); add under columns: in RULES:\n" +
          "  contacts.e_mail: { transform: email }  # the name looks personal\n  contacts.email_alias: { transform: email }  # the name looks personal\n" +
          "  contacts.id: { transform: keep }\n  contacts.label: { transform: keep }\n" +
          "  contacts.mobile: { transform: pseudonym, prefix: mobile_ }  # the name looks personal\n",
      );
    });
    it("kept columns whose values look personal, whatever their names, all named in one refusal: addresses, phone numbers, IBANs, JWTs, tokens, card numbers, and inside jsonb with the paths (digests and UUIDs are not tokens)", async () => {
      const kept = edited(/contacts\.(e_mail|mobile|email_alias)|api_sessions\.(session_blob|opaque|payment_ref)|iban|profile/, `  '"Customer".iban': keep\n  '"Customer".profile': keep\n`);
      assert.equal(
        await refused(kept),
        personal([
          '"Customer".iban: IBAN in 40 of 40 sampled values',
          '"Customer".profile: e-mail address in 40 of 40 sampled documents (at $.contact.email); phone number in 40 of 40 sampled documents (at $.contact.phone)',
          "api_sessions.session_blob: JWT in 30 of 30 sampled values",
          "api_sessions.opaque: token in 30 of 30 sampled values",
          "api_sessions.payment_ref: card number in 30 of 30 sampled values",
          "contacts.e_mail: e-mail address in 60 of 60 sampled values",
          "contacts.mobile: phone number in 60 of 60 sampled values",
          "contacts.email_alias: e-mail address in 60 of 60 sampled values",
        ]),
      );
    });
    it("a json transform that leaves some, and one whose path reaches nothing", async () => {
      assert.equal(
        await refused(edited(/profile/, `  '"Customer".profile': { transform: json, paths: { $.contact.email: email } }\n`)),
        personal(['"Customer".profile: phone number in 40 of 40 sampled documents (at $.contact.phone)']),
      );
      assert.equal(
        await refused(edited(/profile/, `  '"Customer".profile': { transform: json, paths: { $.contact.email: email, $.contact.phone: "null", $.contacts.fax: "null" } }\n`)),
        'db: RULES: json paths that reach nothing in a sample of the source (a misspelt path rewrites nothing):\n  "Customer".profile: $.contacts.fax reaches nothing in 40 sampled documents\n',
      );
    });
    it("a transform on a generated column (it is computed in the target, never copied)", async () => {
      assert.equal(
        await refused(edited(undefined, `  '"Customer".search_text': "null"\n`)),
        'db: RULES: columns: "Customer".search_text: a generated column is computed in the target from the copied columns, never copied: give it no rule\n',
      );
    });
    it("copies a kept column whose values look personal once its rule acknowledges they are not, with the reason", async () => {
      const acknowledged = edited(/payment_ref/, `  api_sessions.payment_ref: { transform: keep, containsPersonalData: false, reason: "the payment provider's published test card numbers" }\n`);
      const out = path.join(folder, "acknowledged.db");
      const result = await subset(`sqlite:///${out}`, writeRules(folder, acknowledged, "acknowledged.yaml"));
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(sqliteRows(out, "SELECT count(DISTINCT payment_ref) AS n FROM api_sessions"), [{ n: 4 }]);
    });
  });

  describe("export and import", () => {
    it("an export holds no generated column; its import into PostgreSQL moves the sequences (inserts succeed) and SQLite computes the column", async () => {
      const out = path.join(folder, "export");
      const exported = await runDb(["export", "--rules", rules, ...from(), "--out", out], { DATA_SYNC_KEY: testKey });
      assert.equal(exported.code, 0, exported.stderr);
      const schema = JSON.parse(fs.readFileSync(path.join(out, "schema.json"), "utf8"));
      const customer = schema.tables.find((table: { name: string }) => table.name === "Customer");
      assert.equal(customer.columns.find((column: { name: string }) => column.name === "search_text").generated.stored, true);
      const imported = await runDb(["import", "--in", out, "--replace", ...to(target.url)]);
      assert.equal(imported.code, 0, imported.stderr);
      await target.query(`INSERT INTO "Customer" (full_name, e_mail) VALUES ('n', 'n@x.example'); INSERT INTO settlements (trade_id, traded_at, amount) SELECT id, traded_at, 1 FROM trading.trades ORDER BY id LIMIT 1`);
      const [sequence] = await target.query<{ ok: boolean }>("SELECT (SELECT max(order_no) FROM settlements) > (SELECT max(order_no) FROM trading.trades) AS ok");
      assert.deepEqual(sequence, { ok: true });
      const file = path.join(folder, "imported.db");
      const intoSqlite = await runDb(["import", "--in", out, ...to(`sqlite:///${file}`)]);
      assert.equal(intoSqlite.code, 0, intoSqlite.stdout + intoSqlite.stderr);
      assert.deepEqual(sqliteRows(file, `SELECT count(*) AS n FROM "Customer" WHERE search_text IS NOT lower(full_name || ' ' || e_mail)`), [{ n: 0 }]);
    });
  });

  describe("rules --init", () => {
    it("writes a rule for every column, suggestions marked for review, no sampled value (golden file)", async () => {
      const result = await runDb(["rules", "--init", ...from()]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(result.stdout, fs.readFileSync(golden, "utf8"));
      assert.deepEqual(changedValues.filter((value) => result.stdout.includes(value) || result.stdout.includes(value.toLowerCase())), []);
    });

    it("--out writes a new file that a subset takes as it is; an existing --out is never written over", async () => {
      const file = path.join(folder, "initial-rules.yaml");
      const written = await runDb(["rules", "--init", "--out", file, ...from()]);
      assert.deepEqual(written, { code: 0, stdout: `Wrote ${file}: a rule for every column; read the lines marked "# review".\n`, stderr: "" });
      assert.equal(fs.readFileSync(file, "utf8"), fs.readFileSync(golden, "utf8"));
      const out = path.join(folder, "from-initial-rules.db");
      assert.equal((await subset(`sqlite:///${out}`, file)).code, 0);
      assert.deepEqual(await verify(`sqlite:///${out}`, file), { code: 0, stdout: `verify --type subset: sqlite:///${out} agrees with the source\n`, stderr: "" });
      const again = await runDb(["rules", "--init", "--out", file, ...from()]);
      assert.deepEqual(again, { code: 2, stdout: "", stderr: `db: --out ${file} exists: rules --init writes a new file, never over one\n` });
    });

    it("reads a production source only with --yes, refused before any connection", async () => {
      const recorder = await connectionRecorder();
      try {
        const result = await runDb(["rules", "--init", "--from-url", recorder.url, "--from-stack", "prod"]);
        assert.deepEqual(result, { code: 2, stdout: "", stderr: "db: the source stack prod is production (its name is a production name (prod, production)): pass --yes to confirm you are authorised to copy from it\n" });
        assert.equal(recorder.connections(), 0);
      } finally {
        await recorder.close();
      }
    });
  });

  describe("what the tool cannot copy is refused by name, one line each, nothing written", () => {
    let other: TestDatabase;
    before(async () => {
      other = await createDatabase();
      await other.query(`
        CREATE TABLE plain (id integer PRIMARY KEY, note text NOT NULL);
        CREATE TABLE parent (id integer PRIMARY KEY);
        CREATE TABLE child (extra text) INHERITS (parent);
        CREATE TYPE floatrange AS RANGE (subtype = float8);
        CREATE TABLE ranges (id integer PRIMARY KEY, span floatrange);
        CREATE TABLE secrets (id integer PRIMARY KEY, owner text);
        ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
        INSERT INTO plain VALUES (1, 'one');
        CREATE TABLE lender (id serial PRIMARY KEY);
        CREATE TABLE borrower (id integer PRIMARY KEY, n integer NOT NULL DEFAULT nextval('lender_id_seq'));
        INSERT INTO lender DEFAULT VALUES; INSERT INTO borrower (id) SELECT generate_series(1, 5);
        CREATE TABLE hashed (id integer PRIMARY KEY, x text NOT NULL, h text GENERATED ALWAYS AS (md5(x)) STORED);
        INSERT INTO hashed (id, x) VALUES (1, 'one');`);
    });
    after(async () => other?.drop());

    it("schema refuses every such object, before the snapshot opens", async () => {
      const file = path.join(folder, "refused-schema.db");
      const result = await runDb(["schema", "--from-url", other.url, "--from-stack", "dev", "--to-url", `sqlite:///${file}`, "--to-stack", "staging"]);
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr:
          "db: refusing to copy what the tool cannot copy (nothing was written):\n" +
          "  table child: inherits from another table (table inheritance, not partitioning), which the tool does not copy\n" +
          "  table secrets: has row-level security policies, which the tool does not copy (a copy without them would show every row to everyone)\n" +
          "  type floatrange: a range type, which the tool does not copy\n",
      });
      assert.equal(fs.existsSync(file), false);
    });

    it("subset refuses only what it would copy", async () => {
      const rules = writeRules(folder, "roots:\n  - table: plain\ncolumns:\n  plain.*: keep\n  ranges.*: keep\n", "plain.yaml");
      const file = path.join(folder, "plain.db");
      const copied = await runDb(["subset", "--rules", rules, "--from-url", other.url, "--from-stack", "dev", "--to-url", `sqlite:///${file}`, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
      assert.equal(copied.code, 0, copied.stderr);
      const ranges = writeRules(folder, "roots:\n  - table: ranges\ncolumns:\n  ranges.*: keep\n", "ranges.yaml");
      const refused = await runDb(["subset", "--rules", ranges, "--from-url", other.url, "--from-stack", "dev", "--to-url", `sqlite:///${path.join(folder, "ranges.db")}`, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
      assert.deepEqual(refused, { code: 2, stdout: "", stderr: "db: refusing to copy what the tool cannot copy (nothing was written):\n  type floatrange: a range type, which the tool does not copy\n" });
    });

    it("a generated column SQLite cannot compute is refused by name for a SQLite target, before anything is written", async () => {
      const rules = writeRules(folder, "roots:\n  - table: hashed\ncolumns:\n  hashed.*: keep\n", "hashed.yaml");
      const file = path.join(folder, "hashed.db");
      const result = await runDb(["subset", "--rules", rules, "--from-url", other.url, "--from-stack", "dev", "--to-url", `sqlite:///${file}`, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
      assert.deepEqual(result, {
        code: 2,
        stdout: "",
        stderr: "db: refusing to copy into SQLite (nothing was written):\n  hashed.h: generated column: SQLite cannot compute md5(x) (copying its values would copy what it was computed from)\n",
      });
      assert.equal(fs.existsSync(file), false);
    });

    it("a subset draws a copied default's sequence along, even one owned by a table it leaves out, and moves it past the copied values", async () => {
      const rules = writeRules(folder, "roots:\n  - table: borrower\ncolumns:\n  borrower.*: keep\n", "borrower.yaml");
      const copied = await runDb(["subset", "--rules", rules, "--from-url", other.url, "--from-stack", "dev", "--to-url", target.url, "--to-stack", "staging", "--replace"], { DATA_SYNC_KEY: testKey });
      assert.equal(copied.code, 0, copied.stderr);
      assert.deepEqual(await target.query("INSERT INTO borrower (id) VALUES (6) RETURNING n"), [{ n: 7 }]);
      assert.deepEqual(await target.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"), [{ tablename: "borrower" }, { tablename: "trading_bot_data_sync" }]);
    });
  });
});
