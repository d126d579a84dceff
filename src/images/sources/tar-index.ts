import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { ImageError } from "../errors.js";

/** Where one member of an uncompressed tar file lives, so it can be read without reading the rest. */
export interface TarMember {
  name: string;
  type: string;
  offset: number;
  size: number;
  linkname?: string;
}

const MAX_MEMBERS = 200_000;
const MAX_LONG_HEADER = 1 << 20;

function cstr(buf: Buffer, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString("utf8");
}

function octal(buf: Buffer, start: number, len: number, file: string): number {
  const field = buf.subarray(start, start + len);
  if (field[0]! & 0x80) {
    // GNU base-256 encoding for large sizes.
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    return v;
  }
  const text = cstr(buf, start, len).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new ImageError("tar-invalid", `bad octal field "${text}"`, file);
  return Number.parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = Number.parseInt(cstr(h, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

function parsePax(data: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(" ", i);
    if (sp < 0) break;
    const len = Number.parseInt(data.slice(i, sp), 10);
    if (!(len > 0)) break;
    const rec = data.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Indexes an uncompressed tar file by reading only its headers (seeking over the contents). */
export function indexTar(file: string): Map<string, TarMember> {
  const fd = openSync(file, "r");
  try {
    const total = fstatSync(fd).size;
    const members = new Map<string, TarMember>();
    const h = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> | undefined;
    while (pos + 512 <= total) {
      readSync(fd, h, 0, 512, pos);
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h)) throw new ImageError("tar-invalid", `bad header checksum at offset ${pos}`, file);
      const size = octal(h, 124, 12, file);
      const typeflag = String.fromCharCode(h[156] || 48);
      const dataStart = pos + 512;
      const next = dataStart + Math.ceil(size / 512) * 512;
      if (next > total)
        throw new ImageError("tar-invalid", `member at offset ${pos} runs past the end`, file);
      if (typeflag === "L" || typeflag === "K" || typeflag === "x" || typeflag === "g") {
        if (size > MAX_LONG_HEADER) throw new ImageError("tar-invalid", "extended header too large", file);
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, dataStart);
        if (typeflag === "L") longName = cstr(buf, 0, size);
        else if (typeflag === "K") longLink = cstr(buf, 0, size);
        else if (typeflag === "x") pax = parsePax(buf.toString("utf8"));
        pos = next;
        continue;
      }
      let name = cstr(h, 0, 100);
      const magic = cstr(h, 257, 6);
      if (magic.startsWith("ustar")) {
        const prefix = cstr(h, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      if (longName !== undefined) name = longName;
      if (pax?.path) name = pax.path;
      const linkname = pax?.linkpath ?? longLink ?? cstr(h, 157, 100);
      const realSize = pax?.size ? Number.parseInt(pax.size, 10) : size;
      name = name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
      members.set(name, {
        name,
        type: typeflag,
        offset: dataStart,
        size: realSize,
        ...(linkname ? { linkname } : {}),
      });
      if (members.size > MAX_MEMBERS)
        throw new ImageError("too-many-entries", "too many archive members", file);
      longName = longLink = undefined;
      pax = undefined;
      pos = next;
    }
    return members;
  } finally {
    closeSync(fd);
  }
}

export function readMember(file: string, m: TarMember, max = 64 << 20): Buffer {
  if (m.size > max) throw new ImageError("file-too-large", `${m.name} is ${m.size} bytes`, file);
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(m.size);
    readSync(fd, buf, 0, m.size, m.offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}
