// How the rules file names tables and columns (packages/db/src/names.ts), what it accepts as a rule
// (packages/db/src/rules.ts), and the json transform's paths (packages/db/src/jsonPath.ts): in process.
import * as assert from "node:assert/strict";
import { readSyncKey, valueTransform } from "../src/anonymise";
import { Refusal } from "../src/errors";
import { parseJsonPath, rewriteDocument } from "../src/jsonPath";
import { LeakScan } from "../src/leakScan";
import { columnKey, formatIdentifier, parseColumnName, parseTableName, tableKey } from "../src/names";
import { parseRules } from "../src/rules";
import { testKey } from "./fixture";

describe("npm run db -- names, rules and paths", () => {
  describe("names as PostgreSQL writes identifiers", () => {
    it("writes a name bare when it can, quoted otherwise", () => {
      assert.deepEqual(["users", "user_id", "a$1", "Order", "user id", "1st", 'say "hi"', "trading.venues", "é"].map(formatIdentifier), [
        "users",
        "user_id",
        "a$1",
        '"Order"',
        '"user id"',
        '"1st"',
        '"say ""hi"""',
        '"trading.venues"',
        '"é"',
      ]);
      assert.equal(tableKey("public", "Order"), '"Order"');
      assert.equal(tableKey("trading", "venues"), "trading.venues");
      assert.equal(columnKey('"Order"', "user id"), '"Order"."user id"');
    });
    const columns: [string, { schema: string; name: string; column: string }][] = [
      ["users.email", { schema: "public", name: "users", column: "email" }],
      ["trading.venues.name", { schema: "trading", name: "venues", column: "name" }],
      ['"Order"."user id"', { schema: "public", name: "Order", column: "user id" }],
      ["Users.Email", { schema: "public", name: "users", column: "email" }],
      ['"my.schema"."a ""b"""."c"', { schema: "my.schema", name: 'a "b"', column: "c" }],
      ["orders.*", { schema: "public", name: "orders", column: "\0*" }],
      ['orders."*"', { schema: "public", name: "orders", column: "*" }],
    ];
    for (const [text, expected] of columns) it(`reads ${text}`, () => assert.deepEqual(parseColumnName(text, "rules.yaml: columns"), expected));
    const syntax = 'write a column as [schema.]table.column, quoting a name as PostgreSQL does ("Order"."user id")';
    for (const bad of ["users", "a.b.c.d", '"unterminated.x', "users.", ".email", "users..email", "*.email", "user id.x", "users.email extra"]) {
      it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseColumnName(bad, "rules.yaml: columns"), new Refusal(`rules.yaml: columns: ${JSON.stringify(bad)}: ${syntax}`)));
    }
    it("reads a table name, a schema's too", () => {
      assert.deepEqual(parseTableName('trading."Trades"', "roots"), { schema: "trading", name: "Trades" });
      assert.throws(() => parseTableName("orders.*", "roots"), /roots: "orders\.\*": write a table as \[schema\.\]table/);
    });
  });

  describe("what a rules file accepts", () => {
    const rules = (columns: string) => parseRules(`roots:\n  - table: orders\ncolumns:\n${columns}`, "rules.yaml");
    const refusal = (columns: string) => {
      try {
        rules(columns);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    it("reads keys as names, shorthands as transforms, table-wide keeps apart", () => {
      const read = rules(`  '"Customer"."user id"': keep\n  Users.Email: email\n  users.phone: "null"\n  orders.*: keep\n  trading.trades.*: keep\n`);
      assert.deepEqual(
        read.columns.map(({ label, rule }) => [label, rule]),
        [
          ['"Customer"."user id"', { transform: "keep" }],
          ["users.email", { transform: "email" }],
          ["users.phone", { transform: "null" }],
        ],
      );
      assert.deepEqual([...read.tables], [["orders", { transform: "keep" }], ["trading.trades", { transform: "keep" }]]);
    });
    it("reads a root's table as a name", () => assert.deepEqual(parseRules(`roots:\n  - table: '"Order"'\n`, "r").roots, [{ table: '"Order"' }]));
    it("accepts an acknowledgement with its reason", () => {
      const read = rules(`  orders.ref: { transform: keep, containsPersonalData: false, reason: "order references, not card numbers" }\n`);
      assert.deepEqual(read.columns[0].rule, { transform: "keep", containsPersonalData: false, reason: "order references, not card numbers" });
    });
    const refused: [string, string, string][] = [
      ["a column written twice, in two spellings", "  users.email: email\n  '\"users\".\"email\"': keep\n", 'rules.yaml: columns: "users"."email": the same column as users.email: write each column once'],
      ["a table-wide transform other than keep", '  orders.*: "null"\n', "rules.yaml: columns: orders.*: a table-wide rule can only keep (table.*: keep); give other transforms, and acknowledgements, column by column"],
      ["a table-wide acknowledgement", '  orders.*: { transform: keep, containsPersonalData: false, reason: "x" }\n', "rules.yaml: columns: orders.*: a table-wide rule can only keep (table.*: keep); give other transforms, and acknowledgements, column by column"],
      ["an acknowledgement without a reason", "  orders.ref: { transform: keep, containsPersonalData: false }\n", 'rules.yaml: columns: orders.ref: an acknowledgement is containsPersonalData: false with a reason: { transform: keep, containsPersonalData: false, reason: "..." }'],
      ["a reason without an acknowledgement", '  orders.ref: { transform: keep, reason: "fine" }\n', 'rules.yaml: columns: orders.ref: an acknowledgement is containsPersonalData: false with a reason: { transform: keep, containsPersonalData: false, reason: "..." }'],
      ["an empty reason", '  orders.ref: { transform: keep, containsPersonalData: false, reason: " " }\n', "rules.yaml: columns.orders.ref.reason: Too small: expected string to have >=1 characters"],
      ["containsPersonalData: true", '  orders.ref: { transform: keep, containsPersonalData: true, reason: "x" }\n', "rules.yaml: columns.orders.ref.containsPersonalData: Invalid input: expected false"],
      ["a json transform without paths", "  orders.meta: { transform: json, paths: {} }\n", "rules.yaml: columns: orders.meta: a json transform needs paths: { transform: json, paths: { $.contact.email: email } }"],
      ["a path that is not one", "  orders.meta: { transform: json, paths: { contact.email: email } }\n", 'rules.yaml: columns: orders.meta: paths: "contact.email" is not a path: start with $ ($.contact.email)'],
      ["a path step it cannot read", "  orders.meta: { transform: json, paths: { '$.a[-1]': email } }\n", 'rules.yaml: columns: orders.meta: paths: "$.a[-1]": cannot read "[-1]"; a step is .name, ["name"], [*], .* or [index]'],
      ["keep at a path", "  orders.meta: { transform: json, paths: { $.a: keep } }\n", "rules.yaml: columns.orders.meta.paths.$.a.transform: Invalid discriminator value. Expected 'pseudonym' | 'email' | 'constant' | 'null'"],
    ];
    for (const [title, columns, message] of refused) it(`refuses ${title}`, () => assert.equal(refusal(columns), message));
  });

  describe("json paths", () => {
    const key = readSyncKey({ DATA_SYNC_KEY: testKey });
    it("reads each kind of step", () => {
      assert.deepEqual(parseJsonPath('$.contact["home address"][*].x.*[2]', "p"), [{ member: "contact" }, { member: "home address" }, { every: true }, { member: "x" }, { every: true }, { index: 2 }]);
      assert.deepEqual(parseJsonPath("$", "p"), []);
    });
    it("rewrites what a path reaches and nothing else; numbers keep their exact text", () => {
      const document = '{"contact": {"email": "a@b.example", "phones": ["+44 1", "+44 2"]}, "size": 12345678901234567890.123, "n": 1e2}';
      const transform = valueTransform({ transform: "json", paths: { "$.contact.email": { transform: "email" }, "$.contact.phones[*]": { transform: "null" }, "$.absent": { transform: "constant", value: 1 } } }, key)!;
      const rewritten = JSON.parse(transform(document)!.replace(/12345678901234567890\.123/, '"EXACT"'));
      assert.match(rewritten.contact.email, /^user_[0-9a-f]{32}@example\.test$/);
      assert.deepEqual({ ...rewritten, contact: { ...rewritten.contact, email: "" } }, { contact: { email: "", phones: [null, null] }, size: "EXACT", n: 100 });
      assert.equal(transform('{"other": 1}'), '{"other": 1}', "a document no path reaches is left as the source printed it");
      assert.equal(transform(null), null);
    });
    it("counts what each path reached", () => {
      const paths = ["$.a[*]", "$.b", "$"].map((path) => ({ steps: parseJsonPath(path, "p"), replace: () => null }));
      assert.deepEqual(rewriteDocument('{"a": [1, 2, 3]}', paths).reached, [3, 0, 1]);
    });
  });

  describe("the leak scan compares normalised values", () => {
    it("finds a source value in another case, composition or with spaces around it", () => {
      const scan = new LeakScan(["users.email", "users.name"]);
      scan.addSourceValue(0, " Customer.7@Mail.Example ");
      scan.addSourceValue(1, "Zoe\u0301"); // e + combining acute (NFD)
      scan.scanTargetValue("customer 7 customer.7@mail.example", "users.search_text");
      scan.scanTargetValue("ZOÉ", "orders.note"); // a composed É
      assert.deepEqual(scan.problems(), ["users.email: 1 source value found in the target (users.search_text)", "users.name: 1 source value found in the target (orders.note)"]);
    });
  });
});
