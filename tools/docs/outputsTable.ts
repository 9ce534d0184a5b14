// The outputs table of docs/outputs.md, from the declared contract: the keys of
// `TradingBotOutputValues` in stacks/outputs.ts, their types and their doc comments, read with
// the TypeScript compiler. An output the program exports (`outputKeys`) and the interface does
// not declare, or one without a doc comment, is refused; a key sharing the comment above it
// (`clusterArn` under `clusterName`) joins its row.
import * as ts from "typescript";
import { outputKeys, secretOutputKeys } from "../../stacks/outputs";

interface DeclaredOutput {
  keys: string[];
  types: string[];
  doc: string;
}

/** The interface's members, each key joined to the row of the last comment above it. */
export function declaredOutputs(sourceText: string): DeclaredOutput[] {
  const source = ts.createSourceFile("outputs.ts", sourceText, ts.ScriptTarget.ES2022, true);
  const contract = source.statements.find((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === "TradingBotOutputValues");
  if (contract === undefined) throw new Error("stacks/outputs.ts declares no TradingBotOutputValues");
  const rows: DeclaredOutput[] = [];
  for (const member of contract.members.filter(ts.isPropertySignature)) {
    const doc = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc).at(-1);
    const key = member.name.getText(source);
    const type = member.type?.getText(source) ?? "unknown";
    if (doc !== undefined) rows.push({ keys: [key], types: [type], doc: (ts.getTextOfJSDocComment(doc.comment) ?? "").replace(/\s+/g, " ").trim() });
    else if (rows.length > 0) rows[rows.length - 1].keys.push(key), rows[rows.length - 1].types.push(type);
    else throw new Error(`stacks/outputs.ts: ${key} has no doc comment`);
  }
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The table: the declared rows, each key marked (secret) where the contract says so. */
export function outputsTable(sourceText: string): string {
  const rows = declaredOutputs(sourceText);
  const declared = rows.flatMap((row) => row.keys);
  const missing = outputKeys.filter((key) => !declared.includes(key));
  const extra = declared.filter((key) => !(outputKeys as readonly string[]).includes(key));
  if (missing.length + extra.length > 0) throw new Error(`stacks/outputs.ts: outputKeys and TradingBotOutputValues differ: ${[...missing, ...extra].join(", ")}`);
  const secret = (key: string) => (secretOutputKeys as readonly string[]).includes(key);
  const body = rows.map(({ keys, types, doc }) => {
    const names = keys.map((key) => `\`${key}\`${secret(key) ? " (secret)" : ""}`).join(", ");
    return `| ${names} | ${cell([...new Set(types)].map((type) => `\`${type}\``).join(", "))} | ${cell(doc)} |`;
  });
  return ["| output | type | what it is |", "|---|---|---|", ...body].join("\n");
}
