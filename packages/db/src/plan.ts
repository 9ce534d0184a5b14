// Subset planning: the root rows, then every row they reference, transitively (self
// references, composite keys, cycles, nullable references), so the copy is referentially
// complete. Rows are tracked by ctid, which is stable inside the run's one REPEATABLE READ
// snapshot (a partitioned table's by partition and ctid: each partition numbers its own);
// the joins run in the source, so the client holds only the chosen rows' ids, and nothing
// for a table taken whole. Plans are made over stored tables: a partitioned table's rows are
// read and written through it.
import type { PostgresSource } from "./postgresSource";
import type { Rules } from "./rules";
import { orderByClause } from "./rules";
import type { ForeignKey, SchemaModel, TableModel } from "./schemaModel";
import { findTable, keyOf, quoteIdent, sqlName, storedForeignKeys, storedTable } from "./schemaModel";

/** Row ids per query when following references. */
const ctidsPerQuery = 10_000;

export interface TablePlan {
  /** The stored table's key. */
  table: string;
  /** Every row of the table, or the ids of the chosen rows (sorted by partition, block, then line). */
  rows: "all" | string[];
  count: number;
}

export interface SubsetPlan {
  /** Every copied table, in the schema's order. */
  tables: TablePlan[];
}

/** A row's id inside the snapshot, as text: `(block,line)`, or `<partition oid>:(block,line)` in a partitioned table. */
export function rowIdSql(table: TableModel, alias: string): string {
  return table.partitionKey ? `(${alias}.tableoid::oid::text || ':' || ${alias}.ctid::text)` : `${alias}.ctid::text`;
}

/** `alias`'s rows whose ids are in the text array parameter `$n`. */
export function rowFilterSql(table: TableModel, alias: string, parameter: string): string {
  return table.partitionKey
    ? `(${alias}.tableoid, ${alias}.ctid) IN (SELECT split_part(id, ':', 1)::oid, split_part(id, ':', 2)::tid FROM unnest(${parameter}::text[]) id)`
    : `${alias}.ctid = ANY(${parameter}::tid[])`;
}

function idOrder(a: string, b: string): number {
  const parse = (id: string) => {
    const [partition, ctid] = id.includes(":") ? id.split(":") : ["0", id];
    const [block, line] = ctid.slice(1, -1).split(",").map(Number);
    return [Number(partition), block, line];
  };
  const [x, y] = [parse(a), parse(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

class Closure {
  readonly whole = new Set<string>();
  readonly chosen = new Map<string, Set<string>>();
  private readonly frontier = new Map<string, string[]>();

  constructor(
    private readonly source: PostgresSource,
    private readonly schema: SchemaModel,
  ) {}

  /** Adds rows of a table; the new ones join the frontier. */
  add(table: string, ids: string[]): void {
    if (this.whole.has(table)) return;
    const chosen = this.chosen.get(table) ?? new Set<string>();
    this.chosen.set(table, chosen);
    const pending = this.frontier.get(table) ?? [];
    for (const id of ids) {
      if (chosen.has(id)) continue;
      chosen.add(id);
      pending.push(id);
    }
    if (pending.length > 0) this.frontier.set(table, pending);
  }

  async ids(sql: string, params: unknown[]): Promise<string[]> {
    const { rows } = await this.source.client.query<{ id: string }>(sql, params);
    return rows.map((row) => row.id);
  }

  /** The stored table a foreign key points into, and the query for its rows referenced by some rows of `from`. */
  private referenced(from: TableModel, key: ForeignKey, filtered: boolean): { table: string; sql: string } {
    const target = storedTable(this.schema, findTable(this.schema, key.references.table)!);
    const referenced = key.references.columns.map((column) => `u.${quoteIdent(column)}`).join(", ");
    const referencing = key.columns.map((column) => `t.${quoteIdent(column)}`).join(", ");
    const filter = filtered ? ` WHERE ${rowFilterSql(from, "t", "$1")}` : "";
    return { table: keyOf(target), sql: `SELECT ${rowIdSql(target, "u")} AS id FROM ${sqlName(target)} u WHERE (${referenced}) IN (SELECT ${referencing} FROM ${sqlName(from)} t${filter})` };
  }

  /** Follows the references of a whole table with one join per foreign key. */
  async followWhole(key: string): Promise<void> {
    const table = findTable(this.schema, key)!;
    for (const foreignKey of storedForeignKeys(this.schema, table)) {
      const { table: target, sql } = this.referenced(table, foreignKey, false);
      if (!this.whole.has(target)) this.add(target, await this.ids(sql, []));
    }
  }

  /** Follows the references of the frontier until no new row turns up. */
  async followFrontier(): Promise<void> {
    for (let next = this.frontier.entries().next(); !next.done; next = this.frontier.entries().next()) {
      const [key, pending] = next.value;
      const batch = pending.splice(0, ctidsPerQuery);
      if (pending.length === 0) this.frontier.delete(key);
      const table = findTable(this.schema, key)!;
      for (const foreignKey of storedForeignKeys(this.schema, table)) {
        const { table: target, sql } = this.referenced(table, foreignKey, true);
        if (!this.whole.has(target)) this.add(target, await this.ids(sql, [batch]));
      }
    }
  }
}

/** Chooses the rows of a subset inside the source's snapshot. */
export async function planSubset(source: PostgresSource, rules: Rules, copied: ReadonlySet<string>, rulesShown: string): Promise<SubsetPlan> {
  const schema = source.schema;
  const closure = new Closure(source, schema);
  // Whole tables first: a table some root takes whole needs no row ids.
  for (const root of rules.roots) if (root.limit === undefined) closure.whole.add(root.table);
  for (const table of closure.whole) await closure.followWhole(table);
  for (const root of rules.roots.filter((r) => r.limit !== undefined && !closure.whole.has(r.table))) {
    const table = findTable(schema, root.table)!;
    const order = orderByClause(root, table, rulesShown);
    closure.add(root.table, await closure.ids(`SELECT ${rowIdSql(table, "r")} AS id FROM ${sqlName(table)} r ORDER BY ${order} LIMIT $1`, [root.limit]));
  }
  await closure.followFrontier();

  const tables: TablePlan[] = [];
  for (const table of schema.tables.filter((t) => copied.has(keyOf(t)))) {
    const key = keyOf(table);
    if (closure.whole.has(key)) {
      const { rows } = await source.client.query<{ count: string }>(`SELECT count(*) AS count FROM ${sqlName(table)}`);
      tables.push({ table: key, rows: "all", count: Number(rows[0].count) });
    } else {
      const ids = [...(closure.chosen.get(key) ?? [])].sort(idOrder);
      tables.push({ table: key, rows: ids, count: ids.length });
    }
  }
  return { tables };
}
