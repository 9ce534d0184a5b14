// The tests' PGlite pool (pglitePool.ts): a database handed out again must be one a test cannot
// tell from a fresh clone, and one the emptying cannot clean must not be handed out at all.
import { strict as assert } from "node:assert";
import type { PGlite } from "@electric-sql/pglite";
import { emptiedCount, giveBack, takeDatabase } from "./pglitePool";

/** What a fresh clone shows of itself: user objects, roles, public's privileges and initial privileges, a session setting, locks. */
async function stateOf(db: PGlite) {
  const one = async (sql: string) => Object.values((await db.query<Record<string, unknown>>(sql)).rows[0])[0];
  return {
    userObjects: await one(`SELECT count(*)::int FROM pg_class WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace)`),
    schemas: await one(`SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname !~ '^pg_'`),
    roles: await one(`SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_'`),
    extensions: await one(`SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension`),
    publicAcl: await one(`SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'`),
    publicInitialAcl: await one(`SELECT initprivs::text FROM pg_init_privs WHERE objoid = 'public'::regnamespace`),
    searchPath: await one(`SHOW search_path`),
    exclusiveLocks: await one(`SELECT count(*)::int FROM pg_locks WHERE locktype = 'relation' AND mode = 'AccessExclusiveLock'`),
  };
}

describe("the tests' PGlite pool", function () {
  this.timeout(60_000);

  it("hands a database back out emptied, as a fresh clone shows itself, after a test filled it", async () => {
    const first = await takeDatabase();
    const fresh = await stateOf(first);
    assert.deepEqual(fresh, {
      userObjects: 0,
      schemas: "information_schema,public",
      roles: "postgres",
      extensions: "plpgsql",
      publicAcl: "{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}",
      publicInitialAcl: "{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}",
      searchPath: "public", // PGlite's default
      exclusiveLocks: 0,
    });
    await first.exec(`
      CREATE EXTENSION citext;
      CREATE SCHEMA trading;
      CREATE TYPE side AS ENUM ('buy', 'sell');
      CREATE DOMAIN trading.quantity AS numeric CHECK (VALUE > 0);
      CREATE TYPE pair AS (base text, quote text);
      CREATE SEQUENCE loose_seq;
      CREATE TABLE orders (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, side side, email citext, qty trading.quantity);
      CREATE TABLE trading.fills (id bigserial PRIMARY KEY, order_id integer REFERENCES orders (id)) ;
      CREATE TABLE ticks (at timestamptz NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE ticks_all PARTITION OF ticks DEFAULT;
      CREATE VIEW buys AS SELECT * FROM orders WHERE side = 'buy';
      CREATE MATERIALIZED VIEW order_count AS SELECT count(*) FROM orders;
      CREATE FUNCTION double_it(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x * 2';
      CREATE PROCEDURE noop() LANGUAGE sql AS 'SELECT 1';
      CREATE ROLE reader;
      GRANT SELECT ON orders TO reader;
      COMMENT ON TABLE orders IS 'orders';
    `);
    await first.exec("SET search_path = trading");
    await first.exec("BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE");
    const waiting = emptiedCount(); // other files' databases, in this process
    await giveBack(first);
    assert.equal(emptiedCount(), waiting + 1);
    const second = await takeDatabase();
    assert.equal(second, first, "the last database emptied is handed out first");
    assert.equal(emptiedCount(), waiting);
    assert.deepEqual(await stateOf(second), fresh);
    await giveBack(second);
  });

  it("closes a database holding what it does not empty, instead of handing it out", async () => {
    const db = await takeDatabase();
    // A collation: nothing in the emptying drops one, so the catalogs still differ from the template's.
    await db.exec(`CREATE COLLATION public.plain (provider = libc, locale = 'C')`);
    const waiting = emptiedCount();
    await giveBack(db);
    assert.equal(emptiedCount(), waiting);
    assert.equal(db.closed, true);
    const next = await takeDatabase();
    assert.notEqual(next, db);
    assert.equal((await next.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_collation WHERE collname = 'plain'`)).rows[0].n, 0);
    await giveBack(next);
  });

  it("closes a database given back after its owner closed it", async () => {
    const db = await takeDatabase();
    await db.close();
    const waiting = emptiedCount();
    await giveBack(db);
    assert.equal(emptiedCount(), waiting);
  });
});
