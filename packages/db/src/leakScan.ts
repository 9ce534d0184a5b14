// The leak check of `verify --type subset`: is any value of an anonymised source column
// anywhere in the target, whole or inside a longer text ("x <email>", a JSON string)? It
// holds the anonymised SOURCE values (an automaton over them, deduplicated by the automaton
// itself) and streams the target through it, so its memory does not grow with the target.
// Both sides are normalised first (Unicode NFC, lower case, trimmed): a value the target
// holds in another case or composition (lower(email) in a generated column) is the same value.
// Problems name the source column and where the value was found, never the value.
import { MultiMatcher } from "./multiMatcher";

/** A value as the scan compares it: NFC, lower case, no surrounding white space. */
export function normalise(value: string): string {
  return value.normalize("NFC").toLowerCase().trim();
}

/**
 * Source values at least this long are found inside longer target text; shorter ones only
 * as a whole value (or a whole string inside JSON): "buy" or "42" inside any text would be
 * found everywhere.
 */
export const minSubstringLength = 6;

export class LeakScan {
  private readonly matcher = new MultiMatcher();
  /** Values shorter than minSubstringLength -> their id: -1, -2, ... (the matcher's patterns are 0, 1, ...). */
  private readonly shortValues = new Map<string, number>();
  /** The first anonymised column (an index into `columns`) of each value: by id for the matcher's, by -1 - id for short ones. */
  private readonly firstColumn: number[] = [];
  private readonly firstColumnShort: number[] = [];
  /** The further columns of a value found in several (a key column and the columns that reference it). */
  private readonly moreColumns = new Map<number, number[]>();
  /** `<column index>\u0000<where>` -> the ids of the values found there. */
  private readonly found = new Map<string, Set<number>>();

  /** `columns`: the anonymised source columns, `table.column`, in the order problems are listed. */
  constructor(private readonly columns: readonly string[]) {}

  /** A value of `columns[column]` in the source; all of them before the first target value. */
  addSourceValue(column: number, original: string): void {
    const value = normalise(original);
    if (value === "") return;
    const id = value.length >= minSubstringLength ? this.matcher.add(value) : this.shortId(value);
    const firsts = id >= 0 ? this.firstColumn : this.firstColumnShort;
    const first = firsts[id >= 0 ? id : -1 - id];
    if (first === undefined) firsts[id >= 0 ? id : -1 - id] = column;
    else if (first !== column) {
      const more = this.moreColumns.get(id) ?? [];
      if (!more.includes(column)) this.moreColumns.set(id, [...more, column]);
    }
  }

  private shortId(value: string): number {
    let id = this.shortValues.get(value);
    if (id === undefined) this.shortValues.set(value, (id = -1 - this.shortValues.size));
    return id;
  }

  /** A value of the target (or a string inside one) at `where` (`table.column`). */
  scanTargetValue(original: string, where: string): void {
    const value = normalise(original);
    const short = this.shortValues.get(value);
    if (short !== undefined) this.record(short, where);
    this.matcher.scan(value, (id) => this.record(id, where));
  }

  private record(id: number, where: string): void {
    const first = id >= 0 ? this.firstColumn[id] : this.firstColumnShort[-1 - id];
    for (const column of [first, ...(this.moreColumns.get(id) ?? [])]) {
      const key = `${column}\u0000${where}`;
      const ids = this.found.get(key) ?? new Set<number>();
      ids.add(id);
      this.found.set(key, ids);
    }
  }

  /** One line per source column and target location: how many distinct source values are there. */
  problems(): string[] {
    const lines: { column: number; where: string; count: number }[] = [];
    for (const [key, ids] of this.found) {
      const [column, where] = key.split("\u0000");
      lines.push({ column: Number(column), where, count: ids.size });
    }
    lines.sort((a, b) => a.column - b.column || (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
    return lines.map(({ column, where, count }) => `${this.columns[column]}: ${count} source value${count === 1 ? "" : "s"} found in the target (${where})`);
  }
}
