/** Splits a Debian control-style (or apk "K:value") database into paragraphs of fields. */
export function parseControlParagraphs(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur.size) out.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    if ((line[0] === " " || line[0] === "\t") && last) {
      cur.set(last, `${cur.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur.size) out.push(cur);
  return out;
}
