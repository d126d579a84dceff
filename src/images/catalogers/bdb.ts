// Reads the values of a Berkeley DB hash database (the classic rpmdb "Packages" file).

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_OFFPAGE = 3;
/** Page header size; a hash page's index array and an overflow page's data start right after it. */
const PAGE_HEADER = 26;
/** An off-page item: type, 3 pad bytes, first overflow page, total length. */
const OFFPAGE_ITEM = 12;

export interface BdbValues {
  /** Every value stored off-page (rpm header blobs are), in page order. */
  values: Buffer[];
  /** Values that could not be read (a chain that loops, leaves the file or is too long); the others are kept. */
  problems: string[];
}

/**
 * Reads a Berkeley DB hash file. Throws on a file that is not one (magic, page size); a damaged value
 * is a problem of its own and the walk goes on. Work is bounded by the file: every overflow page is
 * visited at most once per value and no index runs past its page.
 */
export function readBdbHashValues(buf: Buffer, maxValue = 64 << 20): BdbValues {
  if (buf.length < 512) throw new Error("too short for a Berkeley DB file");
  let le = true;
  if (buf.readUInt32LE(12) !== HASH_MAGIC) {
    if (buf.readUInt32BE(12) !== HASH_MAGIC) throw new Error("not a Berkeley DB hash database");
    le = false;
  }
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || pageSize & (pageSize - 1))
    throw new Error(`bad page size ${pageSize}`);
  const pages = Math.floor(buf.length / pageSize);
  const out: BdbValues = { values: [], problems: [] };
  for (let pg = 1; pg < pages; pg++) {
    const base = pg * pageSize;
    const type = buf[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    // A lying entry count cannot send the index past its own page.
    const entries = Math.min(u16(base + 20), (pageSize - PAGE_HEADER) / 2);
    // Entries alternate key, value; the index array follows the page header.
    for (let i = 1; i < entries; i += 2) {
      const off = u16(base + PAGE_HEADER + i * 2);
      if (off < PAGE_HEADER || off + OFFPAGE_ITEM > pageSize) continue;
      const item = base + off;
      if (buf[item] !== H_OFFPAGE) continue;
      const where = `page ${pg} entry ${i}`;
      const total = u32(item + 8);
      if (total > maxValue) {
        out.problems.push(`${where}: value of ${total} bytes is too large`);
        continue;
      }
      const value = readOverflowChain(u32(item + 4), total);
      if (typeof value === "string") out.problems.push(`${where}: ${value}`);
      else out.values.push(value);
    }
  }
  return out;

  /** The bytes of one off-page value, or what is wrong with its chain. */
  function readOverflowChain(first: number, total: number): Buffer | string {
    const parts: Buffer[] = [];
    let got = 0;
    const seen = new Set<number>();
    for (let next = first; next !== 0 && got < total; ) {
      if (next >= pages) return `overflow page ${next} is past the end of the file (${pages} pages)`;
      if (seen.has(next)) return `overflow chain loops back to page ${next}`;
      seen.add(next);
      const ob = next * pageSize;
      if (buf[ob + 25] !== P_OVERFLOW) return `page ${next} is not an overflow page`;
      const len = Math.min(u16(ob + 22), pageSize - PAGE_HEADER);
      parts.push(buf.subarray(ob + PAGE_HEADER, ob + PAGE_HEADER + len));
      got += len;
      next = u32(ob + 16);
    }
    if (got < total) return `overflow chain ends after ${got} of ${total} bytes`;
    return Buffer.concat(parts).subarray(0, total);
  }
}
