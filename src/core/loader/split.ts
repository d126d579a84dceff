// Splits a YAML stream into one text per document, without parsing it, so that one
// broken document does not hide the others and each keeps its place in the file.

export interface Chunk {
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  start: number;
  /** 0-based line of the first content line inside the chunk, relative to `start`. */
  firstContent: number;
}

/**
 * Splits a YAML stream into one text per document. `---` and `...` at column 0 can only be
 * document markers (the spec forbids them as content there), so this matches the parser's view;
 * directives (`%YAML`) stay with the document that follows them.
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let chunkStartPos = 0;
  let chunkStartLine = 0;
  let firstContent = -1;
  let hasMarker = false;
  let lineNo = 0;
  let pos = 0;
  const close = (endPos: number) => {
    if (endPos > chunkStartPos) {
      chunks.push({
        text: text.slice(chunkStartPos, endPos),
        start: chunkStartLine,
        firstContent: Math.max(0, firstContent),
      });
    }
  };
  while (pos <= text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const c0 = text.charCodeAt(pos);
    const kind = classifyLine(text, pos, end, c0);
    if (kind === "marker" || kind === "directive") {
      const opensNew = firstContent >= 0 || hasMarker;
      if (opensNew) {
        close(pos);
        chunkStartPos = pos;
        chunkStartLine = lineNo;
        firstContent = -1;
        hasMarker = false;
      }
      if (kind === "marker") {
        hasMarker = true;
        // Content on the marker line itself (`--- |`, `--- {a: 1}`).
        if (firstContent < 0 && hasInlineContent(text, pos + 3, end)) firstContent = lineNo - chunkStartLine;
      }
    } else if (kind === "content") {
      if (firstContent < 0) firstContent = lineNo - chunkStartLine;
    } else if (kind === "end") {
      close(end + 1);
      chunkStartPos = end + 1;
      chunkStartLine = lineNo + 1;
      firstContent = -1;
      hasMarker = false;
    }
    pos = end + 1;
    lineNo++;
  }
  close(text.length);
  return chunks;
}

type LineKind = "blank" | "comment" | "marker" | "end" | "directive" | "content";

function classifyLine(text: string, start: number, end: number, c0: number): LineKind {
  if (c0 === 45 /* - */ && isMarker(text, start, end, "---")) return "marker";
  if (c0 === 46 /* . */ && isMarker(text, start, end, "...")) return "end";
  if (c0 === 37 /* % */) return "directive";
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35 /* # */ ? "comment" : "content";
  }
  return "blank";
}

function isMarker(text: string, start: number, end: number, marker: string): boolean {
  if (!text.startsWith(marker, start)) return false;
  const next = text.charCodeAt(start + 3);
  return start + 3 >= end || next === 32 || next === 9 || next === 13;
}

function hasInlineContent(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c !== 35;
  }
  return false;
}
