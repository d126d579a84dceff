// A strict, small XML reader for the JUnit tests: proves well-formedness and reads the tree back.

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const NAME = "[A-Za-z_][A-Za-z0-9_.:-]*";
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
export const XML_CHAR_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decode(s: string, where: string): string {
  if (XML_CHAR_INVALID.test(s)) throw new Error(`character XML forbids in ${where}`);
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(";")) throw new Error(`unterminated reference in ${where}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (!num) throw new Error(`unknown entity &${body}; in ${where}`);
    const code = num[1]!.startsWith("x") ? Number.parseInt(num[1]!.slice(1), 16) : Number(num[1]);
    return String.fromCodePoint(code);
  });
}

/** A strict, small XML parser: enough to prove the report is well-formed and to read it back. */
export function parseXml(xml: string): XmlNode {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!decl) throw new Error("missing XML declaration");
  i = decl[0].length;
  const root: XmlNode = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  const tag = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`, "y");
  const attr = new RegExp(`(${NAME})\\s*=\\s*"([^"<]*)"`, "g");
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes(">")) throw new Error(`raw ">" in text at ${i}`);
    stack.at(-1)!.text += decode(text, `text at ${i}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 40)}`);
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
    } else {
      const node: XmlNode = { name: name!, attrs: {}, children: [], text: "" };
      for (const a of attrText!.matchAll(attr)) {
        if (a[1]! in node.attrs) throw new Error(`duplicate attribute ${a[1]}`);
        node.attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]}`);
      }
      stack.at(-1)!.children.push(node);
      if (!selfClose) stack.push(node);
    }
    i = tag.lastIndex;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== "")
    throw new Error("document must have one root element");
  return elements[0]!;
}

export const all = (n: XmlNode, name: string): XmlNode[] => n.children.filter((c) => c.name === name);
