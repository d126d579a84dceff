// The RPM header format (as stored in rpmdb: the "header blob" without lead or magic).

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const MAX_ENTRIES = 1 << 16;

export type TagValue = string | string[] | number[] | Buffer;

/** Parses a header blob into tag → value. Throws on a malformed blob (caller names the file). */
export function parseRpmHeader(blob: Buffer): Map<number, TagValue> {
  if (blob.length < 8) throw new Error("rpm header shorter than 8 bytes");
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il > MAX_ENTRIES) throw new Error(`rpm header claims ${il} entries`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) throw new Error("rpm header data runs past the blob");
  const data = blob.subarray(dataStart, dataStart + dl);
  const out = new Map<number, TagValue>();
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = blob.readUInt32BE(e);
    const type = blob.readUInt32BE(e + 4);
    const offset = blob.readInt32BE(e + 8);
    const count = blob.readUInt32BE(e + 12);
    if (offset < 0 || offset > dl) continue;
    switch (type) {
      case 6: // STRING
      case 9: {
        // I18NSTRING: the first (C locale) string
        const end = data.indexOf(0, offset);
        out.set(tag, data.toString("utf8", offset, end < 0 ? dl : end));
        break;
      }
      case 8: {
        // STRING_ARRAY
        const arr: string[] = [];
        let p = offset;
        for (let n = 0; n < count && p < dl; n++) {
          const end = data.indexOf(0, p);
          const stop = end < 0 ? dl : end;
          arr.push(data.toString("utf8", p, stop));
          p = stop + 1;
        }
        out.set(tag, arr);
        break;
      }
      case 4: {
        // INT32
        const arr: number[] = [];
        for (let n = 0; n < count && offset + n * 4 + 4 <= dl; n++)
          arr.push(data.readInt32BE(offset + n * 4));
        out.set(tag, arr);
        break;
      }
      case 3: {
        const arr: number[] = [];
        for (let n = 0; n < count && offset + n * 2 + 2 <= dl; n++)
          arr.push(data.readUInt16BE(offset + n * 2));
        out.set(tag, arr);
        break;
      }
      case 7:
        out.set(tag, data.subarray(offset, Math.min(dl, offset + count)));
        break;
      default:
        break;
    }
  }
  return out;
}

export function str(h: Map<number, TagValue>, tag: number): string | undefined {
  const v = h.get(tag);
  return typeof v === "string" ? v : undefined;
}

export function num(h: Map<number, TagValue>, tag: number): number | undefined {
  const v = h.get(tag);
  return Array.isArray(v) && typeof v[0] === "number" ? v[0] : undefined;
}

export function strs(h: Map<number, TagValue>, tag: number): string[] {
  const v = h.get(tag);
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : [];
}
