// Where the Pulumi CLI's YAML library (gopkg.in/yaml.v3, which follows YAML 1.1 in places) and
// the `yaml` package (YAML 1.2) part ways, so that the stack-file reader refuses such a file
// rather than read other settings than the CLI deploys, or read a file the CLI refuses:
// - line breaks only yaml.v3 knows (NEL, LS, PS, a lone CR): behind a comment they hide a line;
// - characters yaml.v3 refuses (C0 and C1 controls but tab, LF, CR and NEL);
// - what the CLI refuses after parsing: a %YAML directive but 1.1, a key that is not text (Pulumi's
//   SimplifyMarshalledValue), two `<<` keys in one mapping (yaml.v3's duplicate check), `<<`
//   of an alias to a list, `!!str <<` (a plain key to yaml.v3, merged by the `yaml` package), a
//   `!!binary` value Go's base64.StdEncoding does not decode (the `yaml` package decodes
//   any text leniently).
// Each problem is one line without the file's name: "line <n>: ...". Imports only `yaml`.
import { Document, isAlias, isCollection, isScalar, isSeq, visit } from "yaml";

const cliOnlyLineBreaks: [pattern: RegExp, name: string][] = [
  [/\u0085/, "U+0085 (NEL)"],
  [/\u2028/, "U+2028 (LINE SEPARATOR)"],
  [/\u2029/, "U+2029 (PARAGRAPH SEPARATOR)"],
  [/\r(?!\n)/, "a carriage return without a line feed"],
];

/** What yaml.v3's reader refuses ("control characters are not allowed"); NEL is a line break above. */
const cliRefusedCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

/** Base64 as Go's base64.StdEncoding decodes it, once CR and LF are taken out (it skips them). */
const goBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** The first problem with the text itself, before it is parsed. */
export function cliTextProblem(text: string): string | undefined {
  for (const [pattern, name] of cliOnlyLineBreaks) {
    const found = pattern.exec(text);
    if (found !== null) {
      return `line ${lineAt(text, found.index)}: holds ${name}, which the Pulumi CLI reads as a line break and these tools do not, so the two would read different settings; use plain line feeds`;
    }
  }
  const control = cliRefusedCharacter.exec(text);
  if (control === null) return undefined;
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  return `line ${lineAt(text, control.index)}: holds the control character U+${code}, which the Pulumi CLI refuses; remove it`;
}

/** A key's value as the CLI decodes it: text for a string, a `!!binary` or an alias to one; the merge key is a symbol. */
function keyValue(key: unknown, document: Document): unknown {
  const node = isAlias(key) ? key.resolve(document) : key;
  if (isCollection(node)) return node;
  return isScalar(node) ? node.value : node;
}

function keyProblem(key: unknown, document: Document): string | undefined {
  const value = keyValue(key, document);
  if (typeof value === "string" || typeof value === "symbol" || value instanceof Uint8Array) return undefined;
  const shown = isCollection(value) ? "a collection" : String(value);
  return `the key ${shown} is not text, which the Pulumi CLI refuses; quote it`;
}

/** The first problem the CLI would have with the parsed document (see the top of this file). */
export function cliDocumentProblem(document: Document, text: string): string | undefined {
  // yaml.v3 reads only "%YAML 1.1" ("found incompatible YAML document").
  const directive = document.directives?.yaml;
  if (directive?.explicit && directive.version !== "1.1") return `line 1: %YAML ${directive.version}, which the Pulumi CLI refuses (it reads %YAML 1.1 only); remove the directive`;
  let problem: string | undefined;
  const found = (offset: number | undefined, what: string) => {
    problem = `line ${lineAt(text, offset ?? 0)}: ${what}`;
    return visit.BREAK;
  };
  visit(document, {
    Map(_, map) {
      const merges = map.items.filter((pair) => isScalar(pair.key) && typeof pair.key.value === "symbol");
      if (merges.length > 1) return found((merges[1].key as { range?: number[] }).range?.[0], "a second << merge key in one mapping, which the Pulumi CLI refuses; merge a list instead: <<: [*first, *second]");
      const listAlias = merges.find((pair) => isAlias(pair.value) && isSeq(pair.value.resolve(document)));
      if (listAlias) return found((listAlias.key as { range?: number[] }).range?.[0], "a << merge of an alias to a list, which the Pulumi CLI refuses; merge a list of aliases instead: <<: [*first, *second]");
      const tagged = map.items.find((pair) => isScalar(pair.key) && pair.key.value === "<<" && pair.key.type === "PLAIN" && pair.key.tag === "tag:yaml.org,2002:str");
      if (tagged) return found((tagged.key as { range?: number[] }).range?.[0], "a << key tagged !!str, which the Pulumi CLI reads as a plain key and the yaml package merges; remove the tag");
      for (const pair of map.items) {
        const refused = keyProblem(pair.key, document);
        if (refused !== undefined) return found((pair.key as { range?: number[] } | null)?.range?.[0], refused);
      }
      return undefined;
    },
    Scalar(_, node) {
      if (node.tag !== "tag:yaml.org,2002:binary" || goBase64.test((node.source ?? "").replace(/[\r\n]/g, ""))) return undefined;
      return found(node.range?.[0], "a !!binary value is not base64 as the Pulumi CLI decodes it (A-Z, a-z, 0-9, + and /, padded with =, line breaks allowed); write the value out");
    },
  });
  return problem;
}
