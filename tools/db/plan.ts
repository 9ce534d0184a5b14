// Subset planning: the root rows, then every row they reference, transitively (self
// references, composite keys, cycles, nullable references), so the copy is referentially
// complete. Rows are tracked by ctid, which is stable inside the run's one REPEATABLE READ
// snapshot; the joins run in the source, so the client holds only the chosen rows' ctids,
// and nothing for a table taken whole.
import type { PostgresSource } from "./postgresSource";
import type { Rules } from "./rules";
import { orderByClause } from "./rules";
import type { ConstraintModel, SchemaModel } from "./schemaModel";
import { findTable, foreignKeys, quoteIdent, schemaName } from "./schemaModel";

/** ctids per query when following references. */
const ctidsPerQuery = 10_000;

export interface TablePlan {
  table: string;
  /** Every row of the table, or the ctids of the chosen rows (sorted by block, then line). */
  rows: "all" | string[];
  count: number;
}

export interface SubsetPlan {
  /** Every copied table, in the schema's order. */
  tables: TablePlan[];
}

const qualified = (name: string) => `${quoteIdent(schemaName)}.${quoteIdent(name)}`;

function ctidOrder(a: string, b: string): number {
  const [blockA, lineA] = a.slice(1, -1).split(",").map(Number);
  const [blockB, lineB] = b.slice(1, -1).split(",").map(Number);
  return blockA - blockB || lineA - lineB;
}

/** `(u."a", u."b") IN (SELECT t."x", t."y" FROM t ...)`: the referenced rows of some referencing rows. */
function referencedRowsQuery(from: string, key: ConstraintModel & { references: { table: string; columns: string[] } }, onlyCtids: boolean): string {
  const referenced = key.references.columns.map((column) => `u.${quoteIdent(column)}`).join(", ");
  const referencing = key.columns.map((column) => `t.${quoteIdent(column)}`).join(", ");
  const filter = onlyCtids ? " WHERE t.ctid = ANY($1::tid[])" : "";
  return `SELECT u.ctid::text AS ctid FROM ${qualified(key.references.table)} u WHERE (${referenced}) IN (SELECT ${referencing} FROM ${qualified(from)} t${filter})`;
}

class Closure {
  readonly whole = new Set<string>();
  readonly chosen = new Map<string, Set<string>>();
  private readonly frontier = new Map<string, string[]>();

  constructor(private readonly source: PostgresSource) {}

  /** Adds rows of a table; the new ones join the frontier. */
  add(table: string, ctids: string[]): void {
    if (this.whole.has(table)) return;
    const chosen = this.chosen.get(table) ?? new Set<string>();
    this.chosen.set(table, chosen);
    const pending = this.frontier.get(table) ?? [];
    for (const ctid of ctids) {
      if (chosen.has(ctid)) continue;
      chosen.add(ctid);
      pending.push(ctid);
    }
    if (pending.length > 0) this.frontier.set(table, pending);
  }

  async ctids(sql: string, params: unknown[]): Promise<string[]> {
    const { rows } = await this.source.client.query<{ ctid: string }>(sql, params);
    return rows.map((row) => row.ctid);
  }

  /** Follows the references of a whole table with one join per foreign key. */
  async followWhole(table: string, schema: SchemaModel): Promise<void> {
    for (const key of foreignKeys(findTable(schema, table)!)) {
      if (!this.whole.has(key.references.table)) this.add(key.references.table, await this.ctids(referencedRowsQuery(table, key, false), []));
    }
  }

  /** Follows the references of the frontier until no new row turns up. */
  async followFrontier(schema: SchemaModel): Promise<void> {
    for (let next = this.frontier.entries().next(); !next.done; next = this.frontier.entries().next()) {
      const [table, pending] = next.value;
      const batch = pending.splice(0, ctidsPerQuery);
      if (pending.length === 0) this.frontier.delete(table);
      for (const key of foreignKeys(findTable(schema, table)!)) {
        if (!this.whole.has(key.references.table)) this.add(key.references.table, await this.ctids(referencedRowsQuery(table, key, true), [batch]));
      }
    }
  }
}

/** Chooses the rows of a subset inside the source's snapshot. */
export async function planSubset(source: PostgresSource, rules: Rules, copied: ReadonlySet<string>, rulesShown: string): Promise<SubsetPlan> {
  const schema = source.schema;
  const closure = new Closure(source);
  // Whole tables first: a table some root takes whole needs no ctids.
  for (const root of rules.roots) if (root.limit === undefined) closure.whole.add(root.table);
  for (const table of closure.whole) await closure.followWhole(table, schema);
  for (const root of rules.roots.filter((r) => r.limit !== undefined && !closure.whole.has(r.table))) {
    const order = orderByClause(root, findTable(schema, root.table)!, rulesShown);
    closure.add(root.table, await closure.ctids(`SELECT ctid::text AS ctid FROM ${qualified(root.table)} ORDER BY ${order} LIMIT $1`, [root.limit]));
  }
  await closure.followFrontier(schema);

  const tables: TablePlan[] = [];
  for (const table of schema.tables.filter((t) => copied.has(t.name))) {
    if (closure.whole.has(table.name)) {
      const { rows } = await source.client.query<{ count: string }>(`SELECT count(*) AS count FROM ${qualified(table.name)}`);
      tables.push({ table: table.name, rows: "all", count: Number(rows[0].count) });
    } else {
      const ctids = [...(closure.chosen.get(table.name) ?? [])].sort(ctidOrder);
      tables.push({ table: table.name, rows: ctids, count: ctids.length });
    }
  }
  return { tables };
}
