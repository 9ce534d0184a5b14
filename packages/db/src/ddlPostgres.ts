// DDL for a PostgreSQL target, from the catalog's own text: types as format_type wrote them,
// defaults as pg_get_expr wrote them, constraints and indexes as pg_get_constraintdef and
// pg_get_indexdef wrote them, functions and views as pg_get_functiondef and pg_get_viewdef
// wrote them. Schemas, types, functions, sequences and tables first, rows next, then keys,
// indexes, foreign keys and triggers (as pg_dump orders them), so rows load in any order,
// reference cycles included. Each statement names its object, so a failure says which.
import type { ClientBase } from "pg";
import { quoteSql } from "./names";
import type { ColumnModel, FunctionModel, SchemaModel, SequenceOptions, TableModel, TypeModel, ViewModel } from "./schemaModel";
import { keyOf, objectKey, sqlName, sqlNameOfKey, storedTables } from "./schemaModel";

/** One DDL statement and what it makes, for messages. */
export interface Statement {
  sql: string;
  object: string;
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function sequenceClauses(options: SequenceOptions): string {
  return [
    `AS ${options.type}`,
    `START WITH ${options.start}`,
    `INCREMENT BY ${options.increment}`,
    `MINVALUE ${options.min}`,
    `MAXVALUE ${options.max}`,
    `CACHE ${options.cache}`,
    options.cycle ? "CYCLE" : "NO CYCLE",
  ].join(" ");
}

function columnDefinition(column: ColumnModel): string {
  const parts = [quoteSql(column.name), column.type];
  if (column.identity) {
    const kind = column.identity.always ? "ALWAYS" : "BY DEFAULT";
    const { sequence, ...options } = column.identity;
    parts.push(`GENERATED ${kind} AS IDENTITY (SEQUENCE NAME ${sqlNameOfKey(sequence)} ${sequenceClauses(options).replace(/^AS \S+ /, "")})`);
  } else if (column.generated) {
    parts.push(`GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? "STORED" : "VIRTUAL"}`);
  } else if (column.default !== undefined) {
    parts.push(`DEFAULT ${column.default}`);
  }
  if (column.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

/** A table; a partition as PARTITION OF its parent (its columns come from the parent). */
function createTable(table: TableModel): Statement {
  const partitionBy = table.partitionKey ? ` PARTITION BY ${table.partitionKey}` : "";
  const object = `table ${keyOf(table)}`;
  if (table.partitionOf) {
    return { object, sql: `CREATE TABLE ${sqlName(table)} PARTITION OF ${sqlNameOfKey(table.partitionOf.parent)} ${table.partitionOf.bound}${partitionBy}` };
  }
  const unlogged = table.unlogged ? "UNLOGGED " : "";
  return { object, sql: `CREATE ${unlogged}TABLE ${sqlName(table)} (\n  ${table.columns.map(columnDefinition).join(",\n  ")}\n)${partitionBy}` };
}

function createType(type: TypeModel): Statement {
  const object = `type ${keyOf(type)}`;
  switch (type.kind) {
    case "enum":
      return { object, sql: `CREATE TYPE ${sqlName(type)} AS ENUM (${type.labels.map(literal).join(", ")})` };
    case "composite":
      return { object, sql: `CREATE TYPE ${sqlName(type)} AS (${type.attributes.map((a) => `${quoteSql(a.name)} ${a.type}`).join(", ")})` };
    default: {
      const clauses = [type.default !== undefined ? `DEFAULT ${type.default}` : "", type.notNull ? "NOT NULL" : "", ...type.checks.map((c) => `CONSTRAINT ${quoteSql(c.name)} ${c.definition}`)];
      return { object: `domain ${keyOf(type)}`, sql: `CREATE DOMAIN ${sqlName(type)} AS ${type.baseType} ${clauses.filter(Boolean).join(" ")}`.trimEnd() };
    }
  }
}

const createFunction = (fn: FunctionModel): Statement => ({ object: `function ${keyOf(fn)}(${fn.arguments})`, sql: fn.definition });

/** Types and functions together, each after what it uses (a domain's check may call a function, a function take a domain). */
function typesAndFunctions(schema: SchemaModel): Statement[] {
  const items = [
    ...schema.types.map((type) => ({ key: objectKey("type", type.schema, type.name), requires: type.requires, statement: createType(type) })),
    ...schema.functions.map((fn) => ({ key: objectKey("function", fn.schema, fn.name, fn.arguments), requires: fn.requires, statement: createFunction(fn) })),
  ];
  const pending = new Map(items.map((item) => [item.key, item]));
  const ordered: Statement[] = [];
  while (pending.size > 0) {
    const [key, item] = [...pending.entries()].find(([, candidate]) => candidate.requires.every((k) => !pending.has(k))) ?? [...pending.entries()][0];
    ordered.push(item.statement);
    pending.delete(key);
  }
  return ordered;
}

/** Schemas, extensions, types, functions, sequences and tables with their columns, before any row. */
export function tableStatements(schema: SchemaModel): Statement[] {
  return [
    ...schema.schemas.map((name) => ({ object: `schema ${name}`, sql: `CREATE SCHEMA IF NOT EXISTS ${quoteSql(name)}` })),
    ...schema.extensions.map(({ name, schema: where }) => ({ object: `extension ${name}`, sql: `CREATE EXTENSION IF NOT EXISTS ${quoteSql(name)} WITH SCHEMA ${quoteSql(where)}` })),
    ...typesAndFunctions(schema),
    ...schema.sequences.map((sequence) => ({ object: `sequence ${keyOf(sequence)}`, sql: `CREATE SEQUENCE ${sqlName(sequence)} ${sequenceClauses(sequence)}` })),
    ...schema.tables.map(createTable),
  ];
}

function addConstraints(table: TableModel, types: string): Statement[] {
  // A partitioned table's keys are added to it alone (ONLY), then its partitions' keys attached, as pg_dump does.
  const only = (type: string) => ((table.partitionKey ? "pux" : table.partitionOf ? "pucx" : "").includes(type) ? "ONLY " : "");
  return table.constraints
    .filter((constraint) => types.includes(constraint.type))
    .map((constraint) => ({
      object: `constraint ${constraint.name} of ${keyOf(table)}`,
      sql: `ALTER TABLE ${only(constraint.type)}${sqlName(table)} ADD CONSTRAINT ${quoteSql(constraint.name)} ${constraint.definition}`,
    }));
}

/** A partition's key or index joins its parent's (which becomes valid once every partition's is attached). */
function attachments(table: TableModel): Statement[] {
  const own = [...table.constraints.filter((c) => c.attachTo), ...table.indexes.filter((i) => i.attachTo)];
  return own.map((item) => ({
    object: `index ${item.name} of ${keyOf(table)}`,
    sql: `ALTER INDEX ${sqlNameOfKey(item.attachTo!)} ATTACH PARTITION ${sqlName({ schema: table.schema, name: item.name })}`,
  }));
}

/** Keys, checks, indexes, then foreign keys, sequence ownership, triggers and views, after the rows. */
export function constraintStatements(schema: SchemaModel): Statement[] {
  const tables = schema.tables;
  return [
    ...tables.flatMap((table) => addConstraints(table, "pucx")),
    ...tables.flatMap((table) => table.indexes.map((index) => ({ object: `index ${index.name} of ${keyOf(table)}`, sql: index.definition }))),
    ...tables.flatMap(attachments),
    ...tables.flatMap((table) => addConstraints(table, "f")),
    // A sequence a copied default draws from may belong to a table the copy leaves out: then it belongs to none.
    ...schema.sequences
      .filter((sequence) => sequence.ownedBy && tables.some((table) => keyOf(table) === sequence.ownedBy!.table))
      .map((sequence) => ({
        object: `sequence ${keyOf(sequence)}`,
        sql: `ALTER SEQUENCE ${sqlName(sequence)} OWNED BY ${sqlNameOfKey(sequence.ownedBy!.table)}.${quoteSql(sequence.ownedBy!.column)}`,
      })),
    ...tables.flatMap((table) => (table.triggers ?? []).map((trigger) => ({ object: `trigger ${trigger.name} of ${keyOf(table)}`, sql: trigger.definition }))),
    ...viewStatements(schema.views),
  ];
}

/** Views and materialized views (empty, WITH NO DATA, as pg_dump --schema-only leaves them), with their indexes. */
export function viewStatements(views: ViewModel[]): Statement[] {
  return views.flatMap((view) => {
    const options = view.options.length > 0 ? ` WITH (${view.options.join(", ")})` : "";
    const kind = view.materialized ? "MATERIALIZED VIEW" : "VIEW";
    const body = view.definition.replace(/;\s*$/, "");
    const object = `${view.materialized ? "materialized view" : "view"} ${keyOf(view)}`;
    return [
      { object, sql: `CREATE ${kind} ${sqlName(view)}${options} AS ${body}${view.materialized ? " WITH NO DATA" : ""}` },
      ...view.indexes.map((definition) => ({ object: `an index of ${object}`, sql: definition })),
    ];
  });
}

/**
 * Moves every sequence a copied column draws from (an identity's, a serial's, or any other a
 * default names with nextval, owned by a column or not) past the largest copied value, so
 * the app's next insert does not collide with a copied row; a descending sequence below the
 * smallest. Partitions' rows are counted through their parent.
 */
export function sequenceResetStatements(schema: SchemaModel): Statement[] {
  const draws = new Map<string, { table: TableModel; column: string; descending: boolean }[]>();
  const increments = new Map(schema.sequences.map((sequence) => [keyOf(sequence), sequence.increment]));
  for (const table of storedTables(schema)) {
    for (const column of table.columns) {
      const sequence = column.identity?.sequence ?? column.sequence;
      if (sequence === undefined) continue;
      const increment = column.identity?.increment ?? increments.get(sequence) ?? "1";
      draws.set(sequence, [...(draws.get(sequence) ?? []), { table, column: column.name, descending: increment.startsWith("-") }]);
    }
  }
  return [...draws].map(([sequence, columns]) => {
    const aggregate = columns[0].descending ? "min" : "max";
    const values = columns.map(({ table, column }) => `SELECT ${aggregate}(${quoteSql(column)})::numeric AS v FROM ${sqlName(table)}`).join(" UNION ALL ");
    return {
      object: `sequence ${sequence}`,
      sql: `SELECT setval(${literal(sqlNameOfKey(sequence))}, m::bigint) FROM (SELECT ${aggregate}(v) AS m FROM (${values}) v) s WHERE m IS NOT NULL`,
    };
  });
}

/** Runs statements in order; a failure names the object the statement makes (never the server's message alone). */
export async function runStatements(client: ClientBase, statements: Statement[]): Promise<void> {
  for (const { sql, object } of statements) {
    try {
      await client.query(sql);
    } catch (error) {
      throw new Error(`${object}: the target refused it: ${(error as Error).message.split("\n")[0]}`);
    }
  }
}

/**
 * What `--replace` drops first, in the target's own transaction: every schema of the
 * database's own but $1 (public), and in $1 every relation, user type and function;
 * extensions' objects are left alone.
 */
export const dropEverythingQuery = `
SELECT statement FROM (
  SELECT format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname) AS statement, 0 AS pass, n.nspname AS name
  FROM pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', $1)
    AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_namespace'::regclass AND x.objid = n.oid AND x.deptype = 'e')
  UNION ALL
  SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW'
           WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' END, n.nspname, c.relname), 1, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
  UNION ALL
  SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname), 2, t.typname
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r', 'm', 'c')
    AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
    AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
  UNION ALL
  SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), 3, p.proname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
    AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')
) objects ORDER BY pass, name`;
