// Mermaid's own parser, under Node. Parsing needs no DOM, but mermaid sanitises labels with
// DOMPurify, which without a window has neither hooks nor sanitize: give it inert ones (the
// parser's verdict on the syntax is all a test wants). Imported with import(), so that DOMPurify
// is the ESM copy mermaid imports even when a loader compiles this file to CommonJS (tsx).

/** Resolves to the diagram's type (`flowchart-v2`); rejects with mermaid's parse error. */
export async function parseMermaid(text) {
  const { default: DOMPurify } = await import("dompurify");
  DOMPurify.addHook ??= () => undefined;
  DOMPurify.sanitize ??= (dirty) => dirty;
  const { default: mermaid } = await import("mermaid");
  return (await mermaid.parse(text)).diagramType;
}
