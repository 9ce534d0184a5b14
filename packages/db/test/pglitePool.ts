// The PGlite databases of the db tests, each as good as a fresh clone of one initialised instance
// per process. A clone costs about 0.4 s of CPU, and much more under load: a database the test
// has finished with is emptied and handed out again instead, but only when its catalogs then
// match the template's (every catalog's row count, every schema, role and database setting);
// what the emptying missed makes the next database a fresh clone, never one with leftovers.
import type { Extension, PGlite } from "@electric-sql/pglite";

/** How long emptying a database may take before it is given up (a session stuck in a dead client's work). */
const emptyingLimitMs = 5_000;
/** How long an emptied database waits to be taken before it is closed: an open clone keeps its process alive (a PostgreSQL timer). */
const idleCloseMs = 2_000;

let template: Promise<PGlite> | undefined;
let templateFingerprint: Promise<string> | undefined;
/** Emptied databases, each with the timer that closes it when nobody takes it. */
const emptied = new Map<PGlite, NodeJS.Timeout>();

/** One initialised PGlite per process (a fresh initdb costs seconds). */
function pgliteTemplate(): Promise<PGlite> {
  // Imported here: the PGlite packages are devDependencies and load a WebAssembly build. citext
  // is there to be created (CREATE EXTENSION), as on a server with PostgreSQL's contrib modules.
  const citext = import("@electric-sql/pglite/contrib/citext" as string) as Promise<{ citext: Extension }>;
  template ??= Promise.all([import("@electric-sql/pglite"), citext]).then(([{ PGlite }, extension]) => PGlite.create({ extensions: { citext: extension.citext } }));
  return template;
}

/** A database as initdb left it: the last one emptied when there is one, else a new clone of the template. */
export async function takeDatabase(): Promise<PGlite> {
  const last = [...emptied.keys()].at(-1);
  if (last) {
    clearTimeout(emptied.get(last));
    emptied.delete(last);
    return last;
  }
  // clone() is typed as the interface; it returns a PGlite, which pglite-socket's server takes.
  return (await (await pgliteTemplate()).clone()) as PGlite;
}

/** Takes back a database the caller is done with: emptied for the next caller when that leaves it as initdb did, else closed. */
export async function giveBack(db: PGlite): Promise<void> {
  if (await withinEmptyingLimit(emptiedAsNew(db).catch(() => false))) {
    emptied.set(db, setTimeout(() => emptied.delete(db) && void db.close().catch(() => undefined), idleCloseMs).unref());
  } else {
    // A database stuck in its emptying is left to the garbage collector: closing would wait on it too.
    await withinEmptyingLimit(db.close().then(() => true, () => false));
  }
}

/** `work`'s answer, or false once `emptyingLimitMs` has passed. */
async function withinEmptyingLimit(work: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), emptyingLimitMs)));
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** How many emptied databases wait to be handed out (for the pool's own test). */
export const emptiedCount = (): number => emptied.size;

/** Empties `db` and says whether its catalogs now match the template's. */
async function emptiedAsNew(db: PGlite): Promise<boolean> {
  await db.exec("ROLLBACK"); // a transaction a client left open (a warning when there is none)
  await db.exec("DISCARD ALL"); // settings, prepared statements, temporary tables, locks of this session
  await db.exec(emptyingSql);
  return (await fingerprintOf(db)) === (await (templateFingerprint ??= pgliteTemplate().then(fingerprintOf)));
}

/**
 * Drops what tests create: event triggers, publications, extensions, schemas but public and
 * the system's, public's relations, types and routines, roles but postgres and the built-in ones.
 * public itself stays: initdb's privileges on it are recorded in pg_init_privs, which pg_dump
 * reads, and a re-created public would have none.
 */
const emptyingSql = `
DO $empty$
DECLARE
  name text;
  statement text;
BEGIN
  FOR name IN SELECT evtname FROM pg_event_trigger LOOP EXECUTE format('DROP EVENT TRIGGER %I', name); END LOOP;
  FOR name IN SELECT pubname FROM pg_publication LOOP EXECUTE format('DROP PUBLICATION %I', name); END LOOP;
  FOR name IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', name); END LOOP;
  FOR name IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'pg_toast') AND nspname !~ '^pg_(toast_)?temp_' LOOP
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', name);
  END LOOP;
  -- Each statement is built just before it runs: a CASCADE before it may have dropped some of its names.
  SELECT 'DROP TABLE IF EXISTS ' || string_agg(format('public.%I', relname), ', ') || ' CASCADE' INTO statement
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'f');
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  SELECT 'DROP VIEW IF EXISTS ' || string_agg(format('public.%I', relname), ', ') || ' CASCADE' INTO statement
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v';
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  SELECT 'DROP MATERIALIZED VIEW IF EXISTS ' || string_agg(format('public.%I', relname), ', ') || ' CASCADE' INTO statement
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'm';
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  SELECT 'DROP SEQUENCE IF EXISTS ' || string_agg(format('public.%I', relname), ', ') || ' CASCADE' INTO statement
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S';
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  SELECT 'DROP TYPE IF EXISTS ' || string_agg(format('public.%I', t.typname), ', ') || ' CASCADE' INTO statement
    FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE t.typnamespace = 'public'::regnamespace AND (t.typtype IN ('e', 'd', 'r', 'm') OR c.relkind = 'c');
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  SELECT 'DROP ROUTINE IF EXISTS ' || string_agg(oid::regprocedure::text, ', ') || ' CASCADE' INTO statement
    FROM pg_proc WHERE pronamespace = 'public'::regnamespace;
  IF statement IS NOT NULL THEN EXECUTE statement; END IF;
  FOR name IN SELECT rolname FROM pg_roles WHERE rolname <> 'postgres' AND rolname !~ '^pg_' LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', name);
    EXECUTE format('DROP ROLE %I', name);
  END LOOP;
END
$empty$`;

/**
 * What a test can leave in a database, as text: each catalog's row count (but the statistics,
 * which ANALYZE writes), and the rows a test could change without adding one: schemas with
 * their owners and privileges, roles with their attributes, the database's own settings.
 */
async function fingerprintOf(db: PGlite): Promise<string> {
  const counts = await db.query<{ sql: string }>(`
    SELECT string_agg(format('SELECT %L || ''='' || count(*) AS part FROM pg_catalog.%I', relname, relname), ' UNION ALL ' ORDER BY relname) AS sql
    FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r' AND relname NOT IN ('pg_statistic', 'pg_statistic_ext_data')`);
  const rows = `
    UNION ALL SELECT string_agg(format('%s/%s/%s', nspname, nspowner::regrole, nspacl), ',' ORDER BY nspname) FROM pg_namespace
    UNION ALL SELECT string_agg(format('%s/%s%s%s%s%s%s%s/%s/%s', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
      rolconnlimit, rolvaliduntil), ',' ORDER BY rolname) FROM pg_authid
    UNION ALL SELECT string_agg(format('%s/%s/%s/%s/%s', datname, datdba::regrole, datallowconn, datconnlimit, datacl), ',' ORDER BY datname) FROM pg_database
    UNION ALL SELECT coalesce(string_agg(format('%s/%s/%s', setdatabase, setrole, setconfig), ','), '') FROM pg_db_role_setting`;
  const parts = await db.query<{ part: string }>(`${counts.rows[0].sql}${rows}`);
  return parts.rows.map((row) => row.part).join("\n");
}
