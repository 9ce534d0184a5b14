// The data tool's logic in this process, without a database: the copy's batching against a
// source and a sink in memory, the subset's closure against a client that answers the
// closure's queries over tables in memory, the column rules against a schema written here,
// the transforms and the leak scan. Fast enough for the `db-logic` mutation group to run them
// for every mutant; the same paths against real PostgreSQL are in subset.test.ts.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { DatabaseError } from "pg";
import { pathRewrites, readSyncKey, renderedLength, rowTransformer, valueTransform } from "../src/anonymise";
import { looksSensitive, resolveColumnRules, suggestedRule } from "../src/columnRules";
import { copyRows } from "../src/copy";
import { Interrupted, Refusal } from "../src/errors";
import { LeakScan, minSubstringLength, normalise } from "../src/leakScan";
import { MultiMatcher } from "../src/multiMatcher";
import { planSubset, rowFilterSql, rowIdSql } from "../src/plan";
import { type PostgresSource, type Row, batchRows, textTypes } from "../src/postgresSource";
import { Progress } from "../src/progress";
import type { Rules } from "../src/rules";
import type { ColumnModel, ConstraintModel, SchemaModel, TableModel } from "../src/schemaModel";
import type { RowSink } from "../src/sink";
import { testKey } from "./fixture";

const key = crypto.createSecretKey(Buffer.from(testKey, "utf8"));

// ---- a schema written here ----

const column = (name: string, fields: Partial<ColumnModel> = {}): ColumnModel => ({ name, type: "text", typeName: "text", category: "S", notNull: false, ...fields });
const integer = (name: string, fields: Partial<ColumnModel> = {}) => column(name, { type: "integer", typeName: "int4", category: "N", ...fields });
const primaryKey = (table: string, ...columns: string[]): ConstraintModel => ({ name: `${table}_pkey`, type: "p", definition: `PRIMARY KEY (${columns.join(", ")})`, columns });
const foreignKey = (name: string, columns: string[], table: string, referenced: string[]): ConstraintModel => ({
  name,
  type: "f",
  definition: `FOREIGN KEY (${columns.join(", ")}) REFERENCES ${table}(${referenced.join(", ")})`,
  columns,
  references: { table, columns: referenced },
});
const table = (name: string, columns: ColumnModel[], constraints: ConstraintModel[] = [], fields: Partial<TableModel> = {}): TableModel => ({
  schema: "public",
  name,
  columns,
  constraints,
  indexes: [],
  requires: [],
  ...fields,
});
const schemaOf = (...tables: TableModel[]) => ({ tables, types: [], functions: [], sequences: [], views: [] }) as unknown as SchemaModel;
const rulesOf = (columns: Record<string, object>, tables: Record<string, object> = {}, roots: Rules["roots"] = []): Rules => ({
  roots,
  columns: Object.entries(columns).map(([label, rule]) => ({ table: label.split(".")[0], column: label.split(".")[1], label, rule: rule as never })),
  tables: new Map(Object.entries(tables)) as Rules["tables"],
});

/** Progress that counts, writing nowhere. */
const quietProgress = () => new Progress({ isTTY: false, write: () => true } as never);

// ---- the copy: batches ----

/** A source of one table in memory: `ctid` is `(0,n)`; records the queries it answered. */
function memorySource(tableModel: TableModel, rows: Row[], estimate: number) {
  const ctid = (index: number) => `(0,${index + 1})`;
  const queries: unknown[] = [];
  const streamed: string[] = [];
  const source = {
    schema: schemaOf(tableModel),
    client: {
      async query(query: string | { text: string; values: unknown[]; rowMode: string; types: unknown }, params?: unknown[]) {
        queries.push(typeof query === "string" ? { text: query, params } : query);
        if (typeof query === "string") return { rows: [{ estimate }] };
        const ids = query.values[0] as string[];
        return { rows: rows.filter((_, index) => ids.includes(ctid(index))).map((row) => [...row]) };
      },
    },
    async stream(sql: string, _params: unknown[], onBatch: (batch: Row[]) => Promise<void> | void) {
      streamed.push(sql);
      const withIds = sql.startsWith("SELECT r.ctid::text, ");
      for (let start = 0; start < rows.length; start += 3) {
        await onBatch(rows.slice(start, start + 3).map((row, offset) => (withIds ? [ctid(start + offset), ...row] : [...row])));
      }
      return rows.length;
    },
  };
  return { source: source as unknown as PostgresSource, queries, streamed };
}

/** A sink keeping every batch it is given. */
function memorySink(fail?: (batch: Row[]) => Error | undefined) {
  const batches: Row[][] = [];
  const sink = {
    shown: "memory",
    columnsToWrite: (model: TableModel) => model.columns,
    selectExpression: (model: ColumnModel) => `r."${model.name}"`,
    async writeRows(_model: TableModel, batch: Row[]) {
      const error = fail?.(batch);
      if (error) throw error;
      batches.push(batch.map((row) => [...row]));
    },
  };
  return { sink: sink as unknown as RowSink, batches };
}

describe("npm run db -- logic in this process", () => {
  describe("the copy's batches", () => {
    const users = table("users", [integer("id"), column("email")], [primaryKey("users", "id")]);
    const rowsOf = (count: number): Row[] => Array.from({ length: count }, (_, index) => [String(index + 1), `u${index + 1}@example.com`]);
    const planOf = (rows: "all" | string[]) => ({ tables: [{ table: "users", rows, count: rows === "all" ? 0 : rows.length }] });
    const copy = (source: PostgresSource, sink: RowSink, rows: "all" | string[], options: Partial<Parameters<typeof copyRows>[4]> = {}) =>
      copyRows(source, sink, source.schema, planOf(rows), { rules: new Map(), key, progress: quietProgress(), signal: new AbortController().signal, ...options });

    it(`fetches chosen rows by id, ${batchRows} a query, and drops none past the first batch`, async () => {
      const all = rowsOf(2 * batchRows + 7);
      const chosen = all.map((_, index) => `(0,${index + 1})`).filter((_, index) => index % 2 === 0 || index > batchRows);
      const { source, queries } = memorySource(users, all, 100_000);
      const { sink, batches } = memorySink();
      const copied = await copy(source, sink, chosen);
      assert.deepEqual([...copied], [["users", chosen.length]]);
      assert.deepEqual(batches.map((batch) => batch.length), [batchRows, chosen.length - batchRows]);
      assert.deepEqual(batches.flat().map((row) => row[0]), chosen.map((id) => id.slice(3, -1)));
      assert.deepEqual(queries[0], { text: "SELECT reltuples AS estimate FROM pg_class WHERE oid = $1::regclass", params: ['"public"."users"'] });
      assert.deepEqual(queries[1], {
        text: 'SELECT r."id", r."email" FROM "public"."users" r WHERE r.ctid = ANY($1::tid[])',
        values: [chosen.slice(0, batchRows)],
        rowMode: "array",
        types: textTypes,
      });
      assert.equal(queries.length, 3);
    });

    it("scans the whole table once the chosen rows are a quarter of its estimate, keeping only them", async () => {
      const all = rowsOf(8);
      const chosen = ["(0,2)", "(0,7)"];
      const { source, queries, streamed } = memorySource(users, all, 8);
      const { sink, batches } = memorySink();
      await copy(source, sink, chosen);
      assert.deepEqual(streamed, ['SELECT r.ctid::text, r."id", r."email" FROM "public"."users" r']);
      assert.deepEqual(batches, [[["2", "u2@example.com"]], [], [["7", "u7@example.com"]]]);
      assert.equal(queries.length, 1, "the estimate only");
    });

    it("fetches by id below a quarter, and when the planner has no estimate (0 or -1)", async () => {
      for (const [estimate, chosen] of [[9, ["(0,2)", "(0,7)"]], [0, ["(0,1)"]], [-1, ["(0,1)"]]] as const) {
        const { source, streamed } = memorySource(users, rowsOf(9), estimate);
        const { sink, batches } = memorySink();
        await copy(source, sink, [...chosen]);
        assert.deepEqual(streamed, [], `estimate ${estimate}`);
        assert.deepEqual(batches.flat().map((row) => row[0]), chosen.map((id) => id.slice(3, -1)));
      }
    });

    it("scans a partitioned table whatever its estimate, and streams a table taken whole", async () => {
      const partitioned = { ...users, partitionKey: "RANGE (id)" };
      const { source, queries, streamed } = memorySource(partitioned, rowsOf(4), 1_000_000);
      const { sink, batches } = memorySink();
      await copy(source, sink, ["(0,1)"]);
      assert.equal(queries.length, 0);
      assert.equal(streamed[0], `SELECT (r.tableoid::oid::text || ':' || r.ctid::text), r."id", r."email" FROM "public"."users" r`);
      assert.equal(batches.length, 2);
      const whole = memorySource(users, rowsOf(4), 4);
      const target = memorySink();
      assert.deepEqual([...(await copy(whole.source, target.sink, "all"))], [["users", 4]]);
      assert.deepEqual(whole.streamed, ['SELECT r."id", r."email" FROM "public"."users" r']);
      assert.deepEqual(target.batches.flat(), rowsOf(4));
    });

    it("anonymises every batch on the way, by the rules of its columns", async () => {
      const { source } = memorySource(users, rowsOf(4), 4);
      const { sink, batches } = memorySink();
      await copy(source, sink, "all", { rules: new Map([["users.email", { transform: "email" }]]) });
      const emails = batches.flat().map((row) => row[1]);
      assert.deepEqual(emails, rowsOf(4).map((row) => valueTransform({ transform: "email" }, key)!(row[1])));
      assert.ok(emails.every((email) => /^user_[0-9a-f]{32}@example\.test$/.test(email!)));
      assert.deepEqual(batches.flat().map((row) => row[0]), ["1", "2", "3", "4"]);
    });

    it("stops between batches once interrupted", async () => {
      const { source } = memorySource(users, rowsOf(6), 6);
      const controller = new AbortController();
      const { sink, batches } = memorySink(() => {
        controller.abort();
        return undefined;
      });
      await assert.rejects(copy(source, sink, "all", { signal: controller.signal }), (error: unknown) => error instanceof Interrupted && error.message === "interrupted");
      assert.equal(batches.length, 1);
    });

    it("names the table when the target's database refuses a batch; passes other errors on as they are", async () => {
      const refused = Object.assign(new DatabaseError('null value in column "email" violates not-null constraint\nDETAIL: x', 0, "error"), { code: "23502" });
      const { source } = memorySource(users, rowsOf(2), 2);
      await assert.rejects(copy(source, memorySink(() => refused).sink, "all"), {
        message: 'users: the target refused a batch of rows: null value in column "email" violates not-null constraint',
      });
      const sqlite = Object.assign(new Error("NOT NULL constraint failed: users.email"), { code: "ERR_SQLITE_ERROR" });
      await assert.rejects(copy(source, memorySink(() => sqlite).sink, "all"), { message: "users: the target refused a batch of rows: NOT NULL constraint failed: users.email" });
      const other = new Error("S3: access denied\nmore");
      await assert.rejects(copy(source, memorySink(() => other).sink, "all"), (error: unknown) => error === other);
      const controller = new AbortController();
      const abortedThenRefused = memorySink(() => {
        controller.abort();
        return refused;
      });
      await assert.rejects(copy(source, abortedThenRefused.sink, "all", { signal: controller.signal }), (error: unknown) => error === refused);
    });
  });

  describe("the subset's closure", () => {
    // users -> users (referrer, nullable), orders -> users, orders -> accounts (composite key), accounts -> users, and
    // a cycle: users.favourite_order -> orders.
    const users = table("users", [integer("id"), integer("referrer_id"), integer("favourite_order")], [
      primaryKey("users", "id"),
      foreignKey("users_referrer", ["referrer_id"], "users", ["id"]),
      foreignKey("users_favourite", ["favourite_order"], "orders", ["id"]),
    ]);
    const accounts = table("accounts", [integer("user_id"), column("exchange")], [primaryKey("accounts", "user_id", "exchange"), foreignKey("accounts_user", ["user_id"], "users", ["id"])]);
    const orders = table("orders", [integer("id"), integer("user_id"), column("exchange")], [
      primaryKey("orders", "id"),
      foreignKey("orders_user", ["user_id"], "users", ["id"]),
      foreignKey("orders_account", ["user_id", "exchange"], "accounts", ["user_id", "exchange"]),
    ]);
    const venues = table("venues", [integer("id")], [primaryKey("venues", "id")]);
    const schema = schemaOf(users, accounts, orders, venues);

    type Data = Record<string, Record<string, unknown>[]>;
    const ctidOf = (index: number) => `(${Math.floor(index / 100)},${(index % 100) + 1})`;

    /** Answers the closure's queries (and only those) over `data`; counts the queries by kind. */
    function closureClient(data: Data) {
      const counted = { references: 0, roots: 0, counts: 0, largestBatch: 0 };
      const rowsOf = (sqlName: string) => {
        const name = /^"public"\."(\w+)"$/.exec(sqlName)![1];
        return data[name].map((row, index) => ({ row, id: ctidOf(index) }));
      };
      const columns = (list: string, alias: string) => list.split(", ").map((item) => new RegExp(`^${alias}\\."(\\w+)"$`).exec(item)![1]);
      const client = {
        async query(sql: string, params: unknown[] = []) {
          let match = /^SELECT count\(\*\) AS count FROM (\S+)$/.exec(sql);
          if (match) {
            counted.counts += 1;
            return { rows: [{ count: String(rowsOf(match[1]).length) }] };
          }
          match = /^SELECT r\.ctid::text AS id FROM (\S+) r ORDER BY r\."id" DESC, r\."id" LIMIT \$1$/.exec(sql);
          if (match) {
            counted.roots += 1;
            const sorted = rowsOf(match[1]).sort((a, b) => Number(b.row.id) - Number(a.row.id));
            return { rows: sorted.slice(0, params[0] as number).map(({ id }) => ({ id })) };
          }
          match = /^SELECT u\.ctid::text AS id FROM (\S+) u WHERE \((.+)\) IN \(SELECT (.+) FROM (\S+) t( WHERE t\.ctid = ANY\(\$1::tid\[\]\))?\)$/.exec(sql);
          assert.ok(match, `a query the closure does not make: ${sql}`);
          counted.references += 1;
          const [, target, referenced, referencing, from, filtered] = match;
          const ids = filtered ? new Set(params[0] as string[]) : undefined;
          if (ids) counted.largestBatch = Math.max(counted.largestBatch, ids.size);
          const keys = new Set(
            rowsOf(from)
              .filter(({ id }) => !ids || ids.has(id))
              .map(({ row }) => columns(referencing, "t").map((name) => row[name]))
              .filter((values) => values.every((value) => value !== null))
              .map((values) => JSON.stringify(values)),
          );
          return { rows: rowsOf(target).filter(({ row }) => keys.has(JSON.stringify(columns(referenced, "u").map((name) => row[name])))).map(({ id }) => ({ id })) };
        },
      };
      return { source: { schema, client } as unknown as PostgresSource, counted };
    }

    const data = (): Data => ({
      users: [
        { id: 1, referrer_id: null, favourite_order: null },
        { id: 2, referrer_id: 1, favourite_order: null },
        { id: 3, referrer_id: 2, favourite_order: 3 },
        { id: 4, referrer_id: null, favourite_order: null },
        { id: 5, referrer_id: null, favourite_order: 1 },
      ],
      accounts: [
        { user_id: 3, exchange: "bybit" },
        { user_id: 3, exchange: "binance" },
        { user_id: 4, exchange: "bybit" },
      ],
      orders: [
        { id: 1, user_id: 4, exchange: "bybit" },
        { id: 2, user_id: 3, exchange: "binance" },
        { id: 3, user_id: 3, exchange: "bybit" },
      ],
      venues: [{ id: 1 }, { id: 2 }],
    });
    const copied = new Set(["users", "accounts", "orders", "venues"]);
    const roots = (...list: Rules["roots"]) => rulesOf({}, {}, list);

    it("takes the latest root rows and every row they reference, transitively (self reference, composite key, cycle)", async () => {
      const { source } = closureClient(data());
      const plan = await planSubset(source, roots({ table: "orders", limit: 1, orderBy: "id desc" }), copied, "rules.yaml");
      // Order 3 -> user 3 and account (3, bybit); user 3 -> referrer 2 -> 1, favourite order 3 (the cycle closes).
      assert.deepEqual(plan.tables, [
        { table: "users", rows: ["(0,1)", "(0,2)", "(0,3)"], count: 3 },
        { table: "accounts", rows: ["(0,1)"], count: 1 },
        { table: "orders", rows: ["(0,3)"], count: 1 },
        { table: "venues", rows: [], count: 0 },
      ]);
    });

    it("follows a table taken whole with one query per foreign key, and counts it", async () => {
      const { source, counted } = closureClient(data());
      const plan = await planSubset(source, roots({ table: "orders" }, { table: "venues" }), copied, "rules.yaml");
      assert.deepEqual(plan.tables, [
        { table: "users", rows: ["(0,1)", "(0,2)", "(0,3)", "(0,4)"], count: 4 },
        { table: "accounts", rows: ["(0,1)", "(0,2)", "(0,3)"], count: 3 },
        { table: "orders", rows: "all", count: 3 },
        { table: "venues", rows: "all", count: 2 },
      ]);
      assert.equal(counted.counts, 2);
    });

    it("takes no row ids for a table a root takes whole, even when another root limits it", async () => {
      const { source, counted } = closureClient(data());
      const plan = await planSubset(source, roots({ table: "users", limit: 1, orderBy: "id desc" }, { table: "users" }), copied, "rules.yaml");
      assert.deepEqual(plan.tables[0], { table: "users", rows: "all", count: 5 });
      assert.equal(counted.roots, 0);
      assert.deepEqual(plan.tables[2], { table: "orders", rows: ["(0,1)", "(0,3)"], count: 2 }, "the favourite orders of all users");
    });

    it("follows a frontier of more than 10,000 rows in queries of 10,000 ids, losing none, ids in block then line order", async () => {
      const many: Data = {
        users: Array.from({ length: 10_050 }, (_, index) => ({ id: index + 1, referrer_id: null, favourite_order: null })),
        accounts: [],
        orders: Array.from({ length: 10_050 }, (_, index) => ({ id: index + 1, user_id: 10_050 - index, exchange: "none" })),
        venues: [],
      };
      const { source, counted } = closureClient(many);
      const plan = await planSubset(source, roots({ table: "orders", limit: 10_020, orderBy: "id desc" }), copied, "rules.yaml");
      const users = plan.tables[0];
      assert.equal(users.count, 10_020);
      assert.deepEqual((users.rows as string[]).slice(0, 3), ["(0,1)", "(0,2)", "(0,3)"]);
      assert.deepEqual((users.rows as string[]).slice(99, 102), ["(0,100)", "(1,1)", "(1,2)"]);
      assert.equal((users.rows as string[]).at(-1), ctidOf(10_019));
      assert.equal(counted.largestBatch, 10_000);
    });

    it("writes a row's id and a row filter for a partitioned table by partition and ctid", () => {
      const plain = table("t", []);
      const partitioned = { ...plain, partitionKey: "RANGE (x)" };
      assert.equal(rowIdSql(plain, "u"), "u.ctid::text");
      assert.equal(rowIdSql(partitioned, "u"), "(u.tableoid::oid::text || ':' || u.ctid::text)");
      assert.equal(rowFilterSql(plain, "t", "$1"), "t.ctid = ANY($1::tid[])");
      assert.equal(rowFilterSql(partitioned, "t", "$2"), "(t.tableoid, t.ctid) IN (SELECT split_part(id, ':', 1)::oid, split_part(id, ':', 2)::tid FROM unnest($2::text[]) id)");
    });

    it("orders a partitioned table's ids by partition, then block, then line", async () => {
      const part = { ...venues, partitionKey: "RANGE (id)" };
      const ids = ["16400:(0,2)", "16390:(3,1)", "16390:(0,10)", "16390:(0,9)", "16400:(0,1)"];
      const client = {
        async query(sql: string) {
          if (sql.startsWith("SELECT count")) return { rows: [{ count: "0" }] };
          return { rows: ids.map((id) => ({ id })) };
        },
      };
      const plan = await planSubset({ schema: schemaOf(part), client } as unknown as PostgresSource, roots({ table: "venues", limit: 5, orderBy: "id desc" }), new Set(["venues"]), "r");
      assert.deepEqual(plan.tables[0].rows, ["16390:(0,9)", "16390:(0,10)", "16390:(3,1)", "16400:(0,1)", "16400:(0,2)"]);
    });
  });

  describe("the column rules", () => {
    const users = table(
      "users",
      [column("id", { notNull: true }), column("email", { type: "character varying(64)", maxLength: 64 }), column("name"), column("referrer_id"), column("lower_email", { generated: { expression: "lower(email)", stored: true } })],
      [primaryKey("users", "id"), foreignKey("users_referrer", ["referrer_id"], "users", ["id"])],
    );
    const orders = table("orders", [integer("id", { notNull: true }), column("user_id"), column("note", { type: "jsonb", typeName: "jsonb", category: "U" }), column("code", { type: "character varying(40)", maxLength: 40 })], [
      primaryKey("orders", "id"),
      foreignKey("orders_user", ["user_id"], "users", ["id"]),
    ], { indexes: [{ name: "orders_code_key", definition: "", unique: true, columns: [{ name: "code", descending: false }] }] });
    const schema = schemaOf(users, orders);
    const both = new Set(["users", "orders"]);
    const complete = {
      "users.id": { transform: "keep" },
      "users.email": { transform: "email" },
      "users.name": { transform: "pseudonym", prefix: "n_" },
      "orders.id": { transform: "keep" },
      "orders.note": { transform: "keep" },
      "orders.code": { transform: "keep" },
    };
    const resolve = (columns: Record<string, object>, tables: Record<string, object> = {}) => resolveColumnRules(rulesOf(columns, tables), schema, both, { shown: "rules.yaml" });
    const refusal = (columns: Record<string, object>, tables: Record<string, object> = {}) => {
      try {
        resolve(columns, tables);
      } catch (error) {
        assert.ok(error instanceof Refusal, String(error));
        return error.message;
      }
      return "accepted";
    };

    it("carries a key column's rule to every column that references it, through references of references", () => {
      const rules = resolve({ ...complete, "users.id": { transform: "pseudonym", prefix: "u_" } });
      assert.deepEqual(rules.get("users.referrer_id"), { transform: "pseudonym", prefix: "u_" });
      assert.deepEqual(rules.get("orders.user_id"), { transform: "pseudonym", prefix: "u_" });
      assert.equal(rules.has("users.lower_email"), false, "a generated column takes no rule");
      assert.deepEqual(rules.get("users.email"), { transform: "email" });
    });

    it("refuses a referencing column's own rule when its key keeps, or has another rule", () => {
      assert.equal(
        refusal({ ...complete, "orders.user_id": { transform: "pseudonym", prefix: "u_" }, "users.referrer_id": { transform: "keep" } }),
        "rules.yaml: columns: orders.user_id references users.id, which keeps its values: put the rule on users.id (it applies to every column that references it)",
      );
      assert.equal(
        refusal({ ...complete, "users.id": { transform: "pseudonym", prefix: "u_" }, "orders.user_id": { transform: "pseudonym", prefix: "o_" } }),
        "rules.yaml: columns: orders.user_id references users.id, which has another rule: a key column's rule applies to the columns that reference it; remove the rule of orders.user_id",
      );
      assert.equal(refusal({ ...complete, "users.id": { transform: "pseudonym", prefix: "u_" }, "orders.user_id": { transform: "pseudonym", prefix: "u_" } }), "accepted");
      assert.equal(refusal({ ...complete, "orders.user_id": { transform: "keep" }, "users.referrer_id": { transform: "keep" } }), "accepted");
    });

    it("fills the columns without a rule from a table-wide rule; a column's own and its key's win", () => {
      const rules = resolve({ "users.email": { transform: "email" }, "users.id": { transform: "pseudonym", prefix: "u_" } }, { users: { transform: "keep" }, orders: { transform: "keep" } });
      assert.deepEqual(rules.get("users.name"), { transform: "keep" });
      assert.deepEqual(rules.get("users.email"), { transform: "email" });
      assert.deepEqual(rules.get("orders.user_id"), { transform: "pseudonym", prefix: "u_" });
      assert.deepEqual(rules.get("orders.note"), { transform: "keep" });
    });

    const misfits: [what: string, columns: Record<string, object>, message: string][] = [
      ["a rule on a generated column", { "users.lower_email": { transform: "email" } }, "rules.yaml: columns: users.lower_email: a generated column is computed in the target from the copied columns, never copied: give it no rule"],
      ["a pseudonym of a number", { "orders.id": { transform: "pseudonym", prefix: "o_" } }, "rules.yaml: columns: orders.id: pseudonym writes text, but the column is integer"],
      ["an email of a number", { "orders.id": { transform: "email" } }, "rules.yaml: columns: orders.id: email writes text, but the column is integer"],
      ["a json transform of text", { "users.name": { transform: "json", paths: {} } }, "rules.yaml: columns: users.name: a json transform needs a json or jsonb column; the column is text"],
      ["null in a NOT NULL column", { "orders.id": { transform: "null" } }, 'rules.yaml: columns: orders.id: transform "null" on a NOT NULL column'],
      ["a constant in a primary key", { "users.id": { transform: "constant", value: 1 } }, "rules.yaml: columns: users.id: a constant in a unique key (users_pkey) makes the copied rows collide; use pseudonym"],
      ["a constant in a unique index", { "orders.code": { transform: "constant", value: "x" } }, "rules.yaml: columns: orders.code: a constant in a unique key (orders_code_key) makes the copied rows collide; use pseudonym"],
      ["a constant that is not JSON in jsonb", { "orders.note": { transform: "constant", value: "redacted" } }, `rules.yaml: columns: orders.note: constant "redacted" is not JSON, but the column is jsonb; write the JSON text in quotes (value: '"redacted"', value: '{}')`],
      ["an email longer than the column", { "orders.code": { transform: "email" } }, "rules.yaml: columns: orders.code: email writes 50 characters, but the column is character varying(40)"],
    ];
    for (const [what, columns, message] of misfits) {
      it(`refuses ${what}`, () => assert.equal(refusal({ ...complete, ...columns }), message));
    }

    it("accepts a transform exactly as long as the column, refuses one character more", () => {
      assert.equal(refusal({ ...complete, "orders.code": { transform: "pseudonym", prefix: "12345678" } }), "accepted");
      assert.equal(refusal({ ...complete, "orders.code": { transform: "pseudonym", prefix: "123456789" } }), "rules.yaml: columns: orders.code: pseudonym writes 41 characters, but the column is character varying(40)");
      assert.equal(refusal({ ...complete, "orders.note": { transform: "constant", value: '"redacted"' } }), "accepted");
      assert.equal(refusal({ ...complete, "orders.note": { transform: "null" } }), "accepted");
    });

    it("names the file's own rule where a key carried another's problem", () => {
      assert.equal(
        refusal({ ...complete, "users.id": { transform: "constant", value: 1 }, "users.email": { transform: "constant", value: 2 } }),
        "rules.yaml: columns: users.id: a constant in a unique key (users_pkey) makes the copied rows collide; use pseudonym",
      );
    });

    it("refuses every copied column without a rule, sorted, each with the line to add", () => {
      const { "users.name": _name, "users.id": _id, ...withoutKeyAndName } = complete;
      assert.equal(
        refusal(withoutKeyAndName),
        "refusing to copy: 4 copied columns have no rule (every copied column needs one; npm run db -- rules --init writes a complete file); add under columns: in rules.yaml:\n" +
          "  orders.user_id: { transform: keep }\n  users.id: { transform: keep }\n  users.name: { transform: pseudonym, prefix: name_ }  # the name looks personal\n  users.referrer_id: { transform: keep }",
      );
      const { "orders.code": _code, ...withoutCode } = complete;
      assert.equal(
        refusal(withoutCode),
        "refusing to copy: 1 copied column has no rule (every copied column needs one; npm run db -- rules --init writes a complete file); add under columns: in rules.yaml:\n  orders.code: { transform: keep }",
      );
    });

    it("suggests a rule from a column's name, type and constraints", () => {
      const cases: [ColumnModel, boolean, string][] = [
        [column("status"), false, "{ transform: keep }"],
        [column("email", { maxLength: 50 }), false, "{ transform: email }"],
        [column("Contact-Email"), false, "{ transform: email }"],
        [column("email", { maxLength: 49 }), false, "{ transform: pseudonym, prefix: email_ }"],
        [column("User Name"), false, "{ transform: pseudonym, prefix: user_name_ }"],
        [integer("phone"), false, '{ transform: "null" }'],
        [integer("phone", { notNull: true }), true, "{ transform: keep }"],
        [integer("phone", { notNull: true }), false, "{ transform: constant, value: <a integer value> }"],
      ];
      for (const [model, unique, rule] of cases) assert.equal(suggestedRule(model, unique), rule, model.name);
    });

    it("finds personal words in snake_case and camelCase names, and IP addresses", () => {
      for (const name of ["userEmail", "ip", "ipv4", "ipv6", "ipaddr", "ip_address", "IPAddress", "last_login_ip"]) assert.equal(looksSensitive(name), true, name);
      for (const name of ["ipx", "zip", "shipping", "tip_amount", "ipv5", "status"]) assert.equal(looksSensitive(name), false, name);
    });
  });

  describe("the transforms", () => {
    it("says how long each writes", () => {
      assert.equal(renderedLength({ transform: "pseudonym", prefix: "abc_" }), 36);
      assert.equal(renderedLength({ transform: "email" }), 50);
      assert.equal(renderedLength({ transform: "constant", value: 12345 }), 5);
      assert.equal(renderedLength({ transform: "constant", value: false }), 5);
      assert.equal(renderedLength({ transform: "null" }), undefined);
      assert.equal(renderedLength({ transform: "keep" }), undefined);
    });

    it("writes constants as text, booleans as true and false, and keep as no transform", () => {
      assert.equal(valueTransform({ transform: "constant", value: true }, key)!("x"), "true");
      assert.equal(valueTransform({ transform: "constant", value: false }, key)!(null), "false");
      assert.equal(valueTransform({ transform: "constant", value: 7 }, key)!("x"), "7");
      assert.equal(valueTransform({ transform: "null" }, key)!("x"), null);
      assert.equal(valueTransform({ transform: "keep" }, key), undefined);
      const pseudonym = valueTransform({ transform: "pseudonym", prefix: "p_" }, key)!;
      assert.equal(pseudonym("alice"), `p_${crypto.createHmac("sha256", key).update("alice", "utf8").digest("hex").slice(0, 32)}`);
      assert.equal(pseudonym(null), null);
      assert.equal(valueTransform({ transform: "email" }, key)!(null), null);
    });

    it("rewrites JSON paths: strings and numbers pseudonymised alike, constants as JSON values, null", () => {
      const json = valueTransform({ transform: "json", paths: { "$.name": { transform: "pseudonym", prefix: "n_" }, "$.age": { transform: "pseudonym", prefix: "n_" }, "$.flag": { transform: "constant", value: true }, "$.gone": { transform: "null" } } }, key)!;
      const pseudonym = valueTransform({ transform: "pseudonym", prefix: "n_" }, key)!;
      assert.deepEqual(JSON.parse(json('{"name":"42","age":42,"flag":"x","gone":"y","other":1}')!), { name: pseudonym("42"), age: pseudonym("42"), flag: true, gone: null, other: 1 });
      assert.equal(json(null), null);
      const rewrites = pathRewrites({ "$.a": { transform: "email" } }, key);
      assert.equal(rewrites[0].replace(null as never), null);
    });

    it("transforms only the columns with a transform, in every row", () => {
      const rows: Row[] = [["a", "b", "c"], ["d", null, "f"]];
      rowTransformer([undefined, (value) => (value === null ? "was null" : value.toUpperCase()), () => "z"])(rows);
      assert.deepEqual(rows, [["a", "B", "z"], ["d", "was null", "z"]]);
    });

    it("takes a key of 32 bytes, refuses 31 and an empty one", () => {
      assert.throws(() => readSyncKey({ DATA_SYNC_KEY: "x".repeat(31) }), new Refusal("DATA_SYNC_KEY is 31 bytes long: it must be at least 32 bytes"));
      assert.throws(() => readSyncKey({ DATA_SYNC_KEY: "" }), new Refusal("DATA_SYNC_KEY is not set: anonymisation needs a secret key of at least 32 bytes (e.g. openssl rand -hex 32)"));
      assert.equal(readSyncKey({ DATA_SYNC_KEY: "é".repeat(16) }).symmetricKeySize, 32);
    });
  });

  describe("the leak scan", () => {
    it(`finds a value of ${minSubstringLength} characters inside text, one of ${minSubstringLength - 1} only whole`, () => {
      const scan = new LeakScan(["users.email", "users.code"]);
      scan.addSourceValue(0, "abcdef");
      scan.addSourceValue(1, "abcde");
      scan.addSourceValue(1, "  ");
      scan.scanTargetValue("xx abcdef xx", "orders.note");
      scan.scanTargetValue("xx abcde xx", "orders.note");
      scan.scanTargetValue(" ABCDE ", "orders.code");
      scan.scanTargetValue("", "orders.empty");
      assert.deepEqual(scan.problems(), ["users.email: 1 source value found in the target (orders.note)", "users.code: 1 source value found in the target (orders.code)"]);
    });

    it("counts distinct values, names every column that held one, sorted by column then place", () => {
      const scan = new LeakScan(["users.id", "orders.user_id", "users.name"]);
      for (const [column, value] of [[0, "alice-1"], [1, "alice-1"], [1, "alice-1"], [0, "bob-22"], [2, "carol3"], [0, "ab"], [1, "ab"]] as const) scan.addSourceValue(column, value);
      scan.scanTargetValue("alice-1 and bob-22", "z.text");
      scan.scanTargetValue("alice-1", "a.text");
      scan.scanTargetValue("alice-1 again alice-1", "z.text");
      scan.scanTargetValue("AB", "m.code");
      scan.scanTargetValue("carol3", "b.name");
      assert.deepEqual(scan.problems(), [
        "users.id: 1 source value found in the target (a.text)",
        "users.id: 1 source value found in the target (m.code)",
        "users.id: 2 source values found in the target (z.text)",
        "orders.user_id: 1 source value found in the target (a.text)",
        "orders.user_id: 1 source value found in the target (m.code)",
        "orders.user_id: 1 source value found in the target (z.text)",
        "users.name: 1 source value found in the target (b.name)",
      ]);
    });

    it("normalises to NFC, lower case, trimmed", () => {
      assert.equal(normalise("  E\u0301MILE\t"), "\u00e9mile");
    });
  });

  describe("many strings found at once", () => {
    it("grows past its first 1,024 nodes and still finds every pattern; refuses a pattern after a scan", () => {
      const matcher = new MultiMatcher();
      const patterns = Array.from({ length: 400 }, (_, index) => `p${index}x${index * 7}`);
      const ids = patterns.map((pattern) => matcher.add(pattern));
      assert.deepEqual(ids, patterns.map((_, index) => index));
      assert.equal(matcher.add(patterns[5]), 5, "the same string, the same index");
      const found: number[] = [];
      matcher.scan(patterns.join("|"), (index) => found.push(index));
      assert.deepEqual([...new Set(found)].sort((a, b) => a - b), ids);
      assert.throws(() => matcher.add("late"), { message: "MultiMatcher: add after scan" });
    });

    it("finds a pattern through failure links that end in another pattern", () => {
      const matcher = new MultiMatcher();
      for (const pattern of ["she", "he", "hers", "e", "xyz"]) matcher.add(pattern);
      const found: number[] = [];
      matcher.scan("ushers", (index) => found.push(index));
      assert.deepEqual(found, [0, 1, 3, 2]);
    });
  });
});
