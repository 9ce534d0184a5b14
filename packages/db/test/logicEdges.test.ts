// Edges of the data tool's logic that logic.test.ts leaves open: a second short value in the
// leak scan, camelCase names, unique constraints and composite unique indexes, a rule carried
// over two references, the order problems are named in, a copy of exactly one batch, a table
// the plan does not copy, names with spaces around them.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { pathRewrites } from "../src/anonymise";
import { looksSensitive, resolveColumnRules } from "../src/columnRules";
import { copyRows } from "../src/copy";
import { Refusal } from "../src/errors";
import { LeakScan } from "../src/leakScan";
import { parseColumnName, parseTableName, qualifiedSql } from "../src/names";
import { planSubset } from "../src/plan";
import { type PostgresSource, type Row, batchRows } from "../src/postgresSource";
import { Progress } from "../src/progress";
import type { Rules } from "../src/rules";
import type { ColumnModel, ConstraintModel, IndexModel, SchemaModel, TableModel } from "../src/schemaModel";
import type { RowSink } from "../src/sink";
import { testKey } from "./fixture";

const key = crypto.createSecretKey(Buffer.from(testKey, "utf8"));
const column = (name: string, fields: Partial<ColumnModel> = {}): ColumnModel => ({ name, type: "text", typeName: "text", category: "S", notNull: false, ...fields });
const integer = (name: string, fields: Partial<ColumnModel> = {}) => column(name, { type: "integer", typeName: "int4", category: "N", ...fields });
const reference = (name: string, columns: string[], table: string, referenced: string[]): ConstraintModel => ({ name, type: "f", definition: "", columns, references: { table, columns: referenced } });
const table = (name: string, columns: ColumnModel[], constraints: ConstraintModel[] = [], indexes: IndexModel[] = []): TableModel => ({ schema: "public", name, columns, constraints, indexes, requires: [] });
const schemaOf = (...tables: TableModel[]) => ({ tables, types: [], functions: [], sequences: [], views: [] }) as unknown as SchemaModel;
const rulesOf = (columns: Record<string, object>, roots: Rules["roots"] = []): Rules => ({
  roots,
  columns: Object.entries(columns).map(([label, rule]) => ({ table: label.split(".")[0], column: label.split(".")[1], label, rule: rule as never })),
  tables: new Map(),
});
function refusalOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    return error.message;
  }
  return "accepted";
}

describe("npm run db -- logic at its edges", () => {
  it("the leak scan keeps a second short value apart from the long ones", () => {
    const scan = new LeakScan(["t.long", "t.first", "t.second"]);
    scan.addSourceValue(0, "abcdefgh");
    scan.addSourceValue(1, "ab");
    scan.addSourceValue(2, "cd");
    scan.scanTargetValue("cd", "u.code");
    assert.deepEqual(scan.problems(), ["t.second: 1 source value found in the target (u.code)"]);
  });

  it("reads personal words out of camelCase and odd IP column names", () => {
    for (const name of ["myIp", "lastLoginIp", "ipaddrs"]) assert.equal(looksSensitive(name), true, name);
  });

  describe("column rules", () => {
    const users = table("users", [column("id"), integer("account_no", { notNull: true }), integer("phone", { notNull: true }), column("doc", { type: "json", typeName: "json", category: "U" })], [
      { name: "users_account_no_key", type: "u", definition: "", columns: ["account_no"] },
    ], [{ name: "users_phone_branch", definition: "", unique: true, columns: [{ name: "branch", descending: false }, { name: "phone", descending: false }] }]);
    const orders = table("orders", [column("user_id"), integer("code")], [reference("orders_user", ["user_id"], "users", ["id"])]);
    const notes = table("notes", [column("order_user")], [reference("notes_order", ["order_user"], "orders", ["user_id"])]);
    const venues = table("venues", [column("name")]);
    const schema = schemaOf(users, orders, notes, venues);
    const keep = { transform: "keep" };
    const complete = { "users.id": keep, "users.account_no": keep, "users.phone": keep, "users.doc": keep, "orders.code": keep };
    const resolve = (columns: Record<string, object>, copied: string[]) => resolveColumnRules(rulesOf(columns), schema, new Set(copied), { shown: "r.yaml" });

    it("carries a key's rule over two references, whatever the tables' order", () => {
      const rules = resolve({ ...complete, "users.id": { transform: "pseudonym", prefix: "u_" } }, ["notes", "orders", "users"]);
      assert.deepEqual(rules.get("notes.order_user"), { transform: "pseudonym", prefix: "u_" });
    });

    it("asks rules of the copied tables only", () => {
      assert.equal(refusalOf(() => resolve({ "venues.name": keep }, ["venues"])), "accepted");
    });

    it("refuses a constant in a unique constraint and in any column of a composite unique index", () => {
      assert.equal(refusalOf(() => resolve({ ...complete, "users.account_no": { transform: "constant", value: 1 } }, ["users"])), "r.yaml: columns: users.account_no: a constant in a unique key (users_account_no_key) makes the copied rows collide; use pseudonym");
      assert.equal(refusalOf(() => resolve({ ...complete, "users.phone": { transform: "constant", value: 1 } }, ["users"])), "r.yaml: columns: users.phone: a constant in a unique key (users_phone_branch) makes the copied rows collide; use pseudonym");
    });

    it("takes a json transform on a json column", () => {
      assert.equal(refusalOf(() => resolve({ ...complete, "users.doc": { transform: "json", paths: { "$.a": { transform: "null" } } } }, ["users"])), "accepted");
    });

    it("names the file's own problem before one a key carried to a column met earlier", () => {
      const people = table("people", [column("id"), integer("boss_id"), column("note", { type: "jsonb", typeName: "jsonb", category: "U" })], [reference("people_boss", ["boss_id"], "people", ["id"])]);
      const message = refusalOf(() =>
        resolveColumnRules(rulesOf({ "people.id": { transform: "pseudonym", prefix: "p_" }, "people.note": { transform: "constant", value: "x" } }), schemaOf(people), new Set(["people"]), { shown: "r.yaml" }),
      );
      assert.equal(message, `r.yaml: columns: people.note: constant "x" is not JSON, but the column is jsonb; write the JSON text in quotes (value: '"redacted"', value: '{}')`);
    });

    it("suggests keep for a personal-looking NOT NULL number in a unique key", () => {
      assert.match(refusalOf(() => resolve({ "users.id": keep, "users.account_no": keep, "users.doc": keep }, ["users"])), /\n {2}users\.phone: \{ transform: keep \}  # the name looks personal$/);
    });
  });

  describe("copy and plan", () => {
    const items = table("items", [integer("id")]);
    const quiet = () => new Progress({ isTTY: false, write: () => true } as never);

    function source(rowsByTable: Record<string, Row[]>, estimateRows: object[]) {
      const params: unknown[][] = [];
      const queries: string[] = [];
      const client = {
        async query(query: string | { text: string; values: string[][] }) {
          if (typeof query === "string") return { rows: estimateRows };
          queries.push(query.text);
          const name = /FROM "public"\."(\w+)"/.exec(query.text)![1];
          return { rows: query.values[0].map((id) => rowsByTable[name][Number(id.slice(3, -1)) - 1]) };
        },
      };
      const stream = async (sql: string, given: unknown[], onBatch: (rows: Row[]) => Promise<void>) => {
        params.push(given);
        const name = /FROM "public"\."(\w+)"/.exec(sql)![1];
        await onBatch(rowsByTable[name]);
        return rowsByTable[name].length;
      };
      return { source: { schema: schemaOf(items, table("other", [integer("id")])), client, stream } as unknown as PostgresSource, params, queries };
    }
    const sink = (batches: Row[][]) => ({ columnsToWrite: (t: TableModel) => t.columns, selectExpression: (c: ColumnModel) => `r."${c.name}"`, writeRows: async (_t: TableModel, rows: Row[]) => void batches.push(rows) }) as unknown as RowSink;
    const options = () => ({ rules: new Map(), key, progress: quiet(), signal: new AbortController().signal });

    it(`copies exactly ${batchRows} chosen rows in one query, fetching by id when the planner has no row count`, async () => {
      const rows = Array.from({ length: batchRows }, (_, i): Row => [String(i + 1)]);
      const { source: memory, queries } = source({ items: rows }, []);
      const batches: Row[][] = [];
      const ids = rows.map((_, i) => `(0,${i + 1})`);
      await copyRows(memory, sink(batches), memory.schema, { tables: [{ table: "items", rows: ids, count: ids.length }] }, options());
      assert.equal(queries.length, 1);
      assert.deepEqual(batches.map((batch) => batch.length), [batchRows]);
    });

    it("counts each table's rows on its own and streams with no parameters; passes on a sink's error that is no object", async () => {
      const { source: memory, params } = source({ items: [["1"], ["2"]], other: [["3"]] }, [{ estimate: 10 }]);
      const copied = await copyRows(memory, sink([]), memory.schema, { tables: [{ table: "items", rows: "all", count: 2 }, { table: "other", rows: "all", count: 1 }] }, options());
      assert.deepEqual([...copied], [["items", 2], ["other", 1]]);
      assert.deepEqual(params, [[], []]);
      const failing = { ...sink([]), writeRows: async () => Promise.reject(undefined) } as unknown as RowSink;
      await assert.rejects(copyRows(memory, failing, memory.schema, { tables: [{ table: "items", rows: "all", count: 2 }] }, options()), (error: unknown) => error === undefined);
    });

    it("plans the copied tables only, following a whole table's keys with no parameters", async () => {
      const parent = table("parent", [integer("id")]);
      const child = table("child", [integer("parent_id")], [reference("child_parent", ["parent_id"], "parent", ["id"])]);
      const seen: unknown[][] = [];
      const client = {
        async query(sql: string, params: unknown[] = []) {
          seen.push(params);
          if (sql.startsWith("SELECT count")) return { rows: [{ count: "1" }] };
          return { rows: [{ id: "(0,1)" }] };
        },
      };
      const plan = await planSubset({ schema: schemaOf(parent, child, items), client } as unknown as PostgresSource, rulesOf({}, [{ table: "child" }]), new Set(["parent", "child"]), "r.yaml");
      assert.deepEqual(plan.tables.map((t) => t.table), ["parent", "child"]);
      assert.deepEqual(seen[0], []);
    });
  });

  it("names: quotes doubled in SQL, spaces around a name ignored, a third part or a * inside refused", () => {
    assert.equal(qualifiedSql('my"schema', 'a"b'), '"my""schema"."a""b"');
    assert.deepEqual(parseTableName("  users ", "w"), { schema: "public", name: "users" });
    assert.deepEqual(parseColumnName(" users.email ", "w"), { schema: "public", name: "users", column: "email" });
    assert.throws(() => parseTableName("a.b.c", "w"), Refusal);
    assert.throws(() => parseTableName("1abc", "w"), Refusal);
    assert.throws(() => parseColumnName("s.*.c", "w"), Refusal);
    assert.throws(() => pathRewrites({ "a.b": { transform: "null" } }, key), new Refusal('json: "a.b" is not a path: start with $ ($.contact.email)'));
  });
});
