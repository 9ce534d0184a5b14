import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readSyncKey, valueTransform } from "../src/anonymise";
import { looksSensitive } from "../src/columnRules";
import { translateExpression } from "../src/ddlSqlite";
import { Refusal } from "../src/errors";
import { LeakScan, minSubstringLength } from "../src/leakScan";
import { MultiMatcher } from "../src/multiMatcher";
import { Progress } from "../src/progress";
import { loadRules } from "../src/rules";
import { SqliteSink } from "../src/sqliteSink";
import { parseDatabaseUrl } from "../src/urls";
import { repoRoot, tempFolder } from "./support";
import { fillSource, testKey, testRulesYaml, writeRules } from "./fixture";
import { type TestDatabase, createDatabase, runDb } from "./support";

describe("npm run db -- parts", () => {
  describe("column names that look sensitive", () => {
    const sensitive = ["email", "user_email", "emailAddress", "username", "first_name", "twitter_handle", "phone_number", "home_address", "ip", "ip_address", "ipv4", "api_key", "apiKey", "client_secret", "refresh_token", "password_hash", "passphrase", "credentials", "card_number", "iban", "birth_date", "dateOfBirth"];
    const plain = ["id", "user_id", "created_at", "symbol", "side", "quantity", "price", "status", "description", "zip_code", "shipped", "is_active", "trading_balance", "config", "metadata"];
    for (const name of sensitive) it(`${name} looks sensitive`, () => assert.equal(looksSensitive(name), true));
    for (const name of plain) it(`${name} does not`, () => assert.equal(looksSensitive(name), false));
  });

  describe("what a database URL points at", () => {
    const identity = (url: string) => parseDatabaseUrl(url, "--to-url").identity;
    it("is the same however the URL is spelt", () => {
      const same = [
        "postgres://app:pw@db.example.internal/trading",
        "postgresql://app:pw@DB.EXAMPLE.INTERNAL:5432/trading",
        "postgresql://other@db.example.internal:5432/trading/",
        "postgresql://app@db.example.internal/trading?sslmode=require",
      ];
      assert.deepEqual(new Set(same.map(identity)), new Set(["postgres:db.example.internal:5432/trading"]));
      assert.equal(identity("postgresql://app@localhost/x"), identity("postgresql://app@127.0.0.1:5432/x"));
      assert.equal(identity("postgresql://app@[::1]/x"), identity("postgresql://app@localhost/x"));
      assert.equal(identity("postgresql://app@h/?host=/var/run/postgresql&dbname=x"), "postgres:/var/run/postgresql:5432/app");
    });
    it("differs by database, host or port", () => {
      const base = identity("postgresql://app@h/trading");
      for (const other of ["postgresql://app@h/trading2", "postgresql://app@h2/trading", "postgresql://app@h:5433/trading"]) assert.notEqual(identity(other), base);
    });
    it("never shows the password", () => {
      assert.equal(parseDatabaseUrl("postgresql://app:s3cret@h/db?password=s3cret", "--to-url").shown, "postgresql://app:***@h/db?password=***");
    });
    it("reads the app's SQLite form, absolute and relative", () => {
      assert.equal(parseDatabaseUrl("sqlite:////data/trading.db", "--to-url").shown, "sqlite:////data/trading.db");
      assert.equal(parseDatabaseUrl("sqlite:///dev.db", "--to-url").shown, `sqlite:///${path.resolve("dev.db")}`);
      assert.throws(() => parseDatabaseUrl("sqlite:///", "--to-url"), new Refusal("--to-url: the SQLite URL names no file"));
    });
  });

  describe("PostgreSQL expressions in SQLite's dialect", () => {
    const cases: [string, string][] = [
      ["CHECK ((quantity > (0)::numeric))", "CHECK ((quantity > (0)))"],
      ["'BTCUSDT'::text", "'BTCUSDT'"],
      ["'new'::character varying", "'new'"],
      ["CHECK (((side)::text = ANY ((ARRAY['buy'::character varying, 'sell'::character varying])::text[])))", "CHECK (((side) IN ('buy', 'sell')))"],
      ["true", "1"],
      ["now()", "CURRENT_TIMESTAMP"],
      ["'true'::text", "'true'"],
      ["'false or true, ::text[] = ANY (ARRAY[x])'::text", "'false or true, ::text[] = ANY (ARRAY[x])'"],
      ["CHECK ((note <> 'it''s true'::text) AND flag = true)", "CHECK ((note <> 'it''s true') AND flag = 1)"],
      ["CHECK ((kind)::text = ANY ((ARRAY['a = ANY (ARRAY[b])'::character varying, 'now()'::character varying])::text[]))", "CHECK ((kind) IN ('a = ANY (ARRAY[b])', 'now()'))"],
      ["'now()'::text", "'now()'"],
      [`CHECK ((("it's" = 'true'::text)))`, `CHECK ((("it's" = 'true')))`],
      [`CHECK ((("o'k")::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[])))`, `CHECK ((("o'k") IN ('x', 'y')))`],
    ];
    for (const [postgres, sqlite] of cases) it(`${postgres} -> ${sqlite}`, () => assert.equal(translateExpression(postgres), sqlite));
  });

  describe("transforms", () => {
    const key = readSyncKey({ DATA_SYNC_KEY: testKey });
    it("pseudonym: keyed, deterministic, distinct, null stays null", () => {
      const pseudonym = valueTransform({ transform: "pseudonym", prefix: "u_" }, key)!;
      assert.equal(pseudonym("alice"), pseudonym("alice"));
      assert.notEqual(pseudonym("alice"), pseudonym("alicf"));
      assert.match(pseudonym("alice")!, /^u_[0-9a-f]{32}$/);
      assert.equal(pseudonym(null), null);
      const other = valueTransform({ transform: "pseudonym", prefix: "u_" }, readSyncKey({ DATA_SYNC_KEY: "another key of at least 32 bytes!" }))!;
      assert.notEqual(other("alice"), pseudonym("alice"));
      const many = new Set(Array.from({ length: 100_000 }, (_, i) => pseudonym(`user ${i}`)));
      assert.equal(many.size, 100_000);
    });
    it("email, constant, null", () => {
      assert.match(valueTransform({ transform: "email" }, key)!("a@b.c")!, /^user_[0-9a-f]{32}@example\.test$/);
      assert.equal(valueTransform({ transform: "constant", value: false }, key)!("t"), "false");
      assert.equal(valueTransform({ transform: "null" }, key)!("x"), null);
      assert.equal(valueTransform({ transform: "keep" }, key), undefined);
    });
    it("refuses a key that is missing or short", () => {
      assert.throws(() => readSyncKey({}), /DATA_SYNC_KEY is not set/);
      assert.throws(() => readSyncKey({ DATA_SYNC_KEY: "é".repeat(15) }), new Refusal("DATA_SYNC_KEY is 30 bytes long: it must be at least 32 bytes"));
      assert.doesNotThrow(() => readSyncKey({ DATA_SYNC_KEY: "é".repeat(16) }));
    });
  });

  describe("many strings found at once (Aho-Corasick)", () => {
    const matcherOf = (patterns: string[]) => {
      const matcher = new MultiMatcher();
      patterns.forEach((pattern, index) => assert.equal(matcher.add(pattern), index));
      return matcher;
    };
    const matches = (patterns: string[], text: string) => {
      const found: number[] = [];
      matcherOf(patterns).scan(text, (index) => found.push(index));
      return found.sort((a, b) => a - b);
    };
    it("finds patterns inside one another and overlapping, once per occurrence", () => {
      assert.deepEqual(matches(["he", "she", "his", "hers"], "ushers"), [0, 1, 3]);
      assert.deepEqual(matches(["aa"], "aaaa"), [0, 0, 0]);
      assert.deepEqual(matches(["日本", "ü@x.test"], "x 日本 ü@x.test"), [0, 1]);
      assert.deepEqual(matches(["abc"], "ab bc ABC"), []);
      assert.deepEqual(matches([], "anything"), []);
      const matcher = new MultiMatcher();
      assert.deepEqual([matcher.add("abc"), matcher.add("ab"), matcher.add("abc")], [0, 1, 0], "a string added twice is one pattern");
    });
    it("counts what a plain search counts, on random patterns and texts", () => {
      let seed = 7;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
      const word = (length: number) => Array.from({ length }, () => "abc"[random(3)]).join("");
      const patterns = [...new Set(Array.from({ length: 60 }, () => word(1 + random(6))))];
      const matcher = matcherOf(patterns);
      for (let round = 0; round < 50; round++) {
        const text = word(random(80));
        const counts = new Array(patterns.length).fill(0);
        matcher.scan(text, (index) => counts[index]++);
        const expected = patterns.map((pattern) => [...text].filter((_, i) => text.startsWith(pattern, i)).length);
        assert.deepEqual(counts, expected, text);
      }
    });
  });

  describe("the leak scan", () => {
    it("finds a long source value inside longer text, a short one only whole; names the column and where, never the value", () => {
      const scan = new LeakScan(["users.email", "users.code", "orders.trader_name"]);
      scan.addSourceValue(0, "alice@mail.example");
      scan.addSourceValue(1, "ab12");
      scan.addSourceValue(2, "alice@mail.example");
      scan.scanTargetValue("write to alice@mail.example today", "orders.note");
      scan.scanTargetValue("alice@mail.example", "orders.note");
      scan.scanTargetValue("xab12y", "orders.code");
      scan.scanTargetValue("ab12", "orders.code");
      assert.deepEqual(scan.problems(), [
        "users.email: 1 source value found in the target (orders.note)",
        "users.code: 1 source value found in the target (orders.code)",
        "orders.trader_name: 1 source value found in the target (orders.note)",
      ]);
      assert.equal(minSubstringLength, 6);
    });
  });

  describe("progress on stderr", () => {
    it("writes one line per table when stderr is not a terminal", () => {
      const written: string[] = [];
      const progress = new Progress({ isTTY: false, write: (text: string) => written.push(text) });
      progress.startTable("orders");
      progress.add(5000);
      progress.add(5000);
      assert.deepEqual(written, []);
      assert.equal(progress.endTable().rows, 10000);
      assert.equal(written.length, 1);
      assert.match(written[0], /^db: orders: 10,000 rows in \d+\.\d s \([\d,]+ rows\/s\)\n$/);
    });
    it("rewrites its line on a terminal", () => {
      const written: string[] = [];
      const progress = new Progress({ isTTY: true, write: (text: string) => written.push(text) });
      progress.startTable("users");
      progress.add(1);
      progress.endTable();
      assert.match(written[0], /^\r\x1b\[Kdb: users: 1 rows/);
      assert.match(written.at(-1)!, /^\r\x1b\[Kdb: users: 1 rows in .*\n$/);
    });
  });

  describe("a SQLite sink", () => {
    it("checks its target again before the rename: a file put in its place during the copy is not written over", async () => {
      const file = path.join(tempFolder("sink"), "target.db");
      const sink = new SqliteSink({ kind: "sqlite", file, identity: `sqlite:${file}`, shown: `sqlite:///${file}` });
      const table = { schema: "public", name: "t", columns: [{ name: "x", type: "text", typeName: "text", category: "S", notNull: false }], constraints: [], indexes: [], requires: [] };
      await sink.prepare({ schemas: [], extensions: [], types: [], functions: [], sequences: [], tables: [table], views: [] }, { replace: false });
      await sink.writeRows(table, [["a"]]);
      fs.writeFileSync(file, "config:\n  trading-bot:environment: production\n");
      await assert.rejects(sink.complete(), new Refusal(`the target ${file} is not a SQLite database (it does not start with "SQLite format 3"): refusing to write over it`));
      await sink.abort();
      assert.equal(fs.readFileSync(file, "utf8"), "config:\n  trading-bot:environment: production\n");
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ["target.db"], "the build file is gone");
    });
  });

  describe("the rules file", () => {
    let folder: string;
    before(() => (folder = tempFolder("rules")));
    const refusal = (text: string) => {
      const file = writeRules(folder, text);
      try {
        loadRules(file, "rules.yaml");
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    it("accepts the committed data/sync-rules.yaml", () => {
      const rules = loadRules(path.join(repoRoot, "data", "sync-rules.yaml"), "data/sync-rules.yaml");
      assert.deepEqual(rules.roots, [{ table: "orders", orderBy: "created_at desc", limit: 1000 }]);
      assert.deepEqual(rules.columns.find((rule) => rule.label === "users.username")?.rule, { transform: "pseudonym", prefix: "test_user_" });
      assert.deepEqual(rules.columns.find((rule) => rule.label === "users.id")?.rule, { transform: "keep" });
    });
    it("names what is wrong", () => {
      assert.equal(refusal("roots: []\n"), "rules.yaml: roots: Too small: expected array to have >=1 items");
      assert.equal(refusal("roots:\n  - { table: orders, limit: 0 }\n"), "rules.yaml: roots.0.limit: Too small: expected number to be >0");
      assert.equal(refusal("roots:\n  - { table: orders, where: x }\n"), 'rules.yaml: roots.0: Unrecognized key: "where"');
      assert.equal(refusal("roots:\n  - table: orders\ncolumns:\n  users.email: { transform: hash }\n"), "rules.yaml: columns.users.email.transform: Invalid discriminator value. Expected 'keep' | 'pseudonym' | 'email' | 'constant' | 'null' | 'json'");
      assert.equal(refusal("roots:\n  - table: orders\ncolumns:\n  users.phone: { transform: null }\n"), "rules.yaml: columns.users.phone.transform: Invalid discriminator value. Expected 'keep' | 'pseudonym' | 'email' | 'constant' | 'null' | 'json'");
      assert.equal(
        refusal("roots:\n  - table: orders\ncolumns:\n  email: { transform: email }\n"),
        'rules.yaml: columns: "email": write a column as [schema.]table.column, quoting a name as PostgreSQL does ("Order"."user id")',
      );
      assert.equal(refusal("roots: [\n"), "rules.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
      assert.equal(refusal("[]"), "rules.yaml: the file: Invalid input: expected object, received array");
    });
  });

  describe("rules checked against the source's schema", function () {
    let source: TestDatabase;
    let folder: string;
    before(async () => {
      source = await createDatabase();
      await fillSource(source);
      folder = tempFolder("rules-schema");
    });
    after(async () => source?.drop());
    const refused = async (rules: string) => {
      const file = writeRules(folder, rules);
      const target = path.join(folder, "never.db");
      const result = await runDb(["subset", "--rules", file, "--from-url", source.url, "--from-stack", "dev", "--to-url", `sqlite:///${target}`, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
      assert.equal(result.code, 2);
      assert.equal(fs.existsSync(target), false, "nothing was written");
      return result.stderr.replace(`${file}`, "RULES");
    };
    const cases: [string, string, string][] = [
      ["an unknown root table", "roots:\n  - table: ordrs\n", "db: RULES: roots: no table ordrs in the source's schema\n"],
      ["an unknown column", `${testRulesYaml}  users.emial: { transform: email }\n`, "db: RULES: columns: users.emial: no column emial in the table users\n"],
      ["an unknown table in columns", `${testRulesYaml}  people.email: { transform: email }\n`, "db: RULES: columns: people.email: no table people in the source's schema\n"],
      ["an orderBy on an unknown column", testRulesYaml.replace("created_at desc", "placed_at desc"), "db: RULES: roots: orders: orderBy: no column placed_at in the table orders\n"],
      ["an orderBy that is not a column list", testRulesYaml.replace("created_at desc", "created_at; drop table users"), 'db: RULES: roots: orders: orderBy: "created_at; drop table users" is not "column [asc|desc] [nulls first|last]"\n'],
      ["a pseudonym on a number", `${testRulesYaml}  users.trading_balance: { transform: pseudonym }\n`, "db: RULES: columns: users.trading_balance: pseudonym writes text, but the column is numeric(20,8)\n"],
      ["null on a NOT NULL column", testRulesYaml.replace("users.email: { transform: email }", 'users.email: { transform: "null" }'), 'db: RULES: columns: users.email: transform "null" on a NOT NULL column\n'],
      ["a constant on a unique key", testRulesYaml.replace("users.username: { transform: pseudonym, prefix: test_user_ }", "users.username: { transform: constant, value: someone }"), "db: RULES: columns: users.username: a constant in a unique key (users_username_key) makes the copied rows collide; use pseudonym\n"],
      ["a pseudonym longer than the column", testRulesYaml.replace("prefix: test_user_", `prefix: ${"p".repeat(40)}`), "db: RULES: columns: users.username: pseudonym writes 72 characters, but the column is character varying(64)\n"],
      ["a rule on a referencing column that its key does not have", `${testRulesYaml}  orders.user_id: { transform: constant, value: 1 }\n`, "db: RULES: columns: orders.user_id references accounts.user_id, which keeps its values: put the rule on accounts.user_id (it applies to every column that references it)\n"],
      ["a referencing column with another rule than its key", `${testRulesYaml}  orders.trader_name: { transform: pseudonym, prefix: t_ }\n`, "db: RULES: columns: orders.trader_name references users.username, which has another rule: a key column's rule applies to the columns that reference it; remove the rule of orders.trader_name\n"],
      ["a constant that is not JSON on a jsonb column", `${testRulesYaml}  orders.metadata: { transform: constant, value: redacted }\n`, `db: RULES: columns: orders.metadata: constant "redacted" is not JSON, but the column is jsonb; write the JSON text in quotes (value: '"redacted"', value: '{}')\n`],
    ];
    for (const [title, rules, message] of cases) {
      it(`refuses ${title}`, async () => assert.equal(await refused(rules), message));
    }

    it("refuses to copy a source table named like the sync record's (trading_bot_data_sync)", async () => {
      await source.query("CREATE TABLE IF NOT EXISTS trading_bot_data_sync (id integer PRIMARY KEY)");
      const message = await refused("roots:\n  - table: trading_bot_data_sync\n");
      assert.equal(message, "db: the copied tables include trading_bot_data_sync, the name of the table where subset keeps its record: leave it out of the copy\n");
    });

    it("copies a JSON constant into a jsonb column of PostgreSQL and SQLite", async () => {
      const file = writeRules(folder, `${testRulesYaml}  orders.metadata: { transform: constant, value: '{"note": "redacted"}' }\n`, "json-constant.yaml");
      const postgres = await createDatabase();
      try {
        for (const url of [postgres.url, `sqlite:///${path.join(folder, "json-constant.db")}`]) {
          const result = await runDb(["subset", "--rules", file, "--from-url", source.url, "--from-stack", "dev", "--to-url", url, "--to-stack", "staging"], { DATA_SYNC_KEY: testKey });
          assert.equal(result.code, 0, result.stderr);
        }
        assert.deepEqual(await postgres.query("SELECT DISTINCT metadata FROM orders"), [{ metadata: { note: "redacted" } }]);
      } finally {
        await postgres.drop();
      }
    });
  });
});
