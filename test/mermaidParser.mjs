// Mermaid's own parser, under Node. Parsing needs no DOM, but mermaid sanitises labels with
// DOMPurify, which without a window has neither hooks nor sanitize: give it inert ones (the
// parser's verdict on the syntax is all a test wants). ESM, so that DOMPurify is the copy
// mermaid imports, not the CommonJS one.
import DOMPurify from "dompurify";

/** Resolves to the diagram's type (`flowchart-v2`); rejects with mermaid's parse error. */
export async function parseMermaid(text) {
  DOMPurify.addHook ??= () => undefined;
  DOMPurify.sanitize ??= (dirty) => dirty;
  const { default: mermaid } = await import("mermaid");
  return (await mermaid.parse(text)).diagramType;
}
