// PostgreSQL's COPY text format, for `COPY ... FROM STDIN`: one line per row, fields
// separated by a tab, NULL as \N, and in a value the four characters that would end a field
// or a line (backslash, newline, carriage return, tab) written as backslash escapes. Every
// value is the text PostgreSQL printed for it (or a transform's text): the column type's
// own input function reads it back, as it would from an INSERT.
import type { Row } from "./postgresSource";

const needsEscape = /[\\\n\r\t]/;
const escapable = /[\\\n\r\t]/g;
const escapes: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One value as a COPY text field. */
export function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return needsEscape.test(value) ? value.replace(escapable, (character) => escapes[character]) : value;
}

/** Rows as COPY text: each row a line ending in a newline. */
export function copyText(rows: readonly Row[]): string {
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let line = row.length > 0 ? copyField(row[0]) : "";
    for (let i = 1; i < row.length; i++) line += `\t${copyField(row[i])}`;
    lines[r] = line;
  }
  return rows.length === 0 ? "" : `${lines.join("\n")}\n`;
}
