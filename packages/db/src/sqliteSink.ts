// A SQLite target: the new database is built in a file beside the target and renamed over it
// only when complete (fsync of the file, rename, fsync of the folder), so a kill at any
// instant leaves the old file or the new one, never a half-written one.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { sqliteTableName, translateSchema } from "./ddlSqlite";
import { ChecksFailed, Refusal } from "./errors";
import type { Row } from "./postgresSource";
import type { ColumnModel, SchemaModel, TableModel } from "./schemaModel";
import { keyOf, quoteIdent } from "./schemaModel";
import type { RowSink } from "./sink";
import type { Endpoint } from "./urls";
import { fsyncPath, processAlive } from "./files";

/** Rows per INSERT statement, and SQLite's limit on parameters in one statement. */
const rowsPerInsert = 100;
const maxSqliteParameters = 32766;

/** `.<target>.db-sync-<pid>-<random>.tmp` beside the target. */
const buildFilePattern = /^\.(.+)\.db-sync-(\d+)-[0-9a-f]+\.tmp$/;

/** Every SQLite database file starts with these 16 bytes. */
const sqliteHeader = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Refuses a SQLite file the tool must not write: a missing folder, something that is not a
 * regular file, a file a program holds open (a non-empty -wal or -journal beside it), or a
 * file that is neither empty nor a SQLite database (whatever --replace says: a database is
 * never written over a stack file or any other file). Shared by every command that writes one.
 */
export function checkSqliteFile(file: string): void {
  if (!fs.existsSync(path.dirname(file))) throw new Refusal(`the folder of the target ${file} does not exist`);
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return; // no file yet: the rename (or SQLite) creates it
  if (!stat.isFile()) throw new Refusal(`the target ${file} is not a regular file`);
  for (const suffix of ["-wal", "-journal"]) {
    const companion = `${file}${suffix}`;
    if (fs.existsSync(companion) && fs.statSync(companion).size > 0) {
      throw new Refusal(`${companion} exists: a program has the target open or did not close it; stop it first`);
    }
  }
  if (stat.size > 0 && !startsWithSqliteHeader(file)) {
    throw new Refusal(`the target ${file} is not a SQLite database (it does not start with "SQLite format 3"): refusing to write over it`);
  }
}

function startsWithSqliteHeader(file: string): boolean {
  // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the lstat is not followed, nor waited on.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(sqliteHeader.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(sqliteHeader);
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses a target SQLite file that is not a plain, closed, empty database (one that holds tables unless `replace`). */
export function checkSqliteTarget(file: string, replace: boolean): void {
  checkSqliteFile(file);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat || stat.size === 0 || replace) return;
  let tables: number;
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      tables = Number((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type IN ('table', 'view')").get() as { n: number }).n);
    } finally {
      db.close();
    }
  } catch (error) {
    throw new Refusal(`the target ${file} is not a SQLite database (${(error as Error).message})`);
  }
  if (tables > 0) throw new Refusal(`the target ${file} is not empty (it holds ${tables} table${tables === 1 ? "" : "s"}): pass --replace to build it anew`);
}

/** Removes build files that an earlier run, since killed, left beside the target. */
function removeStaleBuildFiles(target: string): void {
  const folder = path.dirname(target);
  for (const name of fs.readdirSync(folder)) {
    const match = buildFilePattern.exec(name);
    if (!match || match[1] !== path.basename(target) || processAlive(Number(match[2]))) continue;
    fs.rmSync(path.join(folder, name), { force: true });
  }
}

/** How the source reads a column for SQLite: arrays as JSON text, booleans as 0/1, the rest as PostgreSQL prints it. */
export function sqliteSelectExpression(column: ColumnModel): string {
  const name = quoteIdent(column.name);
  if (column.category === "A") return `array_to_json(${name})::text`;
  if (column.category === "B") return `${name}::int`;
  return name;
}

export class SqliteSink implements RowSink {
  readonly shown: string;
  private db: DatabaseSync | undefined;
  private buildFile: string | undefined;
  private indexes: string[] = [];
  private readonly inserts = new Map<string, StatementSync>();

  constructor(private readonly endpoint: Extract<Endpoint, { kind: "sqlite" }>) {
    this.shown = endpoint.shown;
  }

  /** Generated columns are computed by SQLite (the translation refuses one it cannot compute). */
  columnsToWrite(table: TableModel): ColumnModel[] {
    return table.columns.filter((column) => !column.generated);
  }

  selectExpression(column: ColumnModel): string {
    return sqliteSelectExpression(column);
  }

  async prepare(schema: SchemaModel, { replace }: { replace: boolean }): Promise<{ notes: string[] }> {
    const target = this.endpoint.file;
    checkSqliteTarget(target, replace);
    removeStaleBuildFiles(target);
    const translated = translateSchema(schema);
    if (translated.refusals.length > 0) throw new Refusal(`refusing to copy into SQLite:\n  ${translated.refusals.join("\n  ")}`);
    this.buildFile = path.join(path.dirname(target), `.${path.basename(target)}.db-sync-${process.pid}-${crypto.randomBytes(4).toString("hex")}.tmp`);
    fs.closeSync(fs.openSync(this.buildFile, "wx", 0o600));
    this.db = new DatabaseSync(this.buildFile);
    // The build file is private until renamed: no journal needed; durability comes from the fsync before the rename.
    this.db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; BEGIN");
    for (const statement of translated.tables) this.db.exec(statement);
    this.indexes = translated.indexes;
    return { notes: translated.notes };
  }

  async writeRows(table: TableModel, rows: Row[]): Promise<void> {
    const columns = this.columnsToWrite(table);
    const blobs = columns.flatMap((column, i) => (column.typeName === "bytea" ? [i] : []));
    if (blobs.length > 0) rows = rows.map((row) => row.map((value, i) => (value !== null && blobs.includes(i) ? Buffer.from(value.slice(2), "hex") : value)) as Row);
    // Many rows per statement: a node:sqlite call costs more than binding a few more values.
    // One parameter array, filled anew for each statement, instead of a new array each time.
    const perStatement = Math.max(1, Math.min(rowsPerInsert, Math.floor(maxSqliteParameters / columns.length)));
    const values = new Array<SQLInputValue>(perStatement * columns.length);
    const many = this.insertStatement(table, columns, perStatement);
    let start = 0;
    for (; start + perStatement <= rows.length; start += perStatement) {
      for (let r = 0, at = 0; r < perStatement; r++) {
        const row = rows[start + r];
        for (let i = 0; i < row.length; i++) values[at++] = row[i] as SQLInputValue;
      }
      many.run(...values);
    }
    const one = this.insertStatement(table, columns, 1);
    for (; start < rows.length; start++) one.run(...(rows[start] as SQLInputValue[]));
  }

  private insertStatement(table: TableModel, columns: ColumnModel[], rowCount: number): StatementSync {
    const cacheKey = `${keyOf(table)}\u0000${rowCount}`;
    let statement = this.inserts.get(cacheKey);
    if (!statement) {
      const names = columns.map((column) => quoteIdent(column.name)).join(", ");
      const values = Array.from({ length: rowCount }, () => `(${columns.map(() => "?").join(", ")})`).join(", ");
      statement = this.db!.prepare(`INSERT INTO ${quoteIdent(sqliteTableName(table))} (${names}) VALUES ${values}`);
      this.inserts.set(cacheKey, statement);
    }
    return statement;
  }

  async complete(): Promise<void> {
    const db = this.db!;
    for (const statement of this.indexes) db.exec(statement);
    const dangling = db.prepare("PRAGMA foreign_key_check").all() as { table: string; rowid: number; parent: string }[];
    if (dangling.length > 0) {
      throw new ChecksFailed(dangling.slice(0, 20).map((row) => `${row.table} row ${row.rowid} references a missing ${row.parent} row`));
    }
    db.exec("COMMIT");
    db.close();
    this.db = undefined;
    this.publish();
  }

  /** fsync the build file, rename it over the target, fsync the folder. */
  private publish(): void {
    const build = this.buildFile!;
    const target = this.endpoint.file;
    // Again, just before the rename: the target may have been replaced, or opened, during the copy.
    checkSqliteFile(target);
    try {
      fs.chmodSync(build, fs.statSync(target).mode & 0o777);
    } catch {
      // no old target: keep the build file's private mode
    }
    fsyncPath(build);
    fs.renameSync(build, target);
    this.buildFile = undefined;
    fsyncPath(path.dirname(target));
  }

  async abort(): Promise<void> {
    try {
      this.db?.close();
    } catch {
      // already closed
    }
    this.db = undefined;
    if (this.buildFile) fs.rmSync(this.buildFile, { force: true });
    this.buildFile = undefined;
  }
}
