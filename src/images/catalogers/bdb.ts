// Reads the values of a Berkeley DB hash database (the classic rpmdb "Packages" file).

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_OFFPAGE = 3;

/** Returns every value stored off-page (rpm header blobs are). Throws on a file that is not a BDB hash. */
export function readBdbHashValues(buf: Buffer, maxValue = 64 << 20): Buffer[] {
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
  const values: Buffer[] = [];
  for (let pg = 1; pg < pages; pg++) {
    const base = pg * pageSize;
    const type = buf[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    // Entries alternate key, value; the index array follows the 26-byte page header.
    for (let i = 1; i < entries; i += 2) {
      const off = u16(base + 26 + i * 2);
      if (off >= pageSize) continue;
      const item = base + off;
      if (buf[item] !== H_OFFPAGE) continue;
      let next = u32(item + 4);
      const total = u32(item + 8);
      if (total > maxValue) throw new Error(`value of ${total} bytes is too large`);
      const parts: Buffer[] = [];
      let got = 0;
      const seen = new Set<number>();
      while (next !== 0 && got < total) {
        if (next >= pages || seen.has(next)) throw new Error(`bad overflow page ${next}`);
        seen.add(next);
        const ob = next * pageSize;
        if (buf[ob + 25] !== P_OVERFLOW) throw new Error(`page ${next} is not an overflow page`);
        const len = Math.min(u16(ob + 22), pageSize - 26);
        parts.push(buf.subarray(ob + 26, ob + 26 + len));
        got += len;
        next = u32(ob + 16);
      }
      values.push(Buffer.concat(parts).subarray(0, total));
    }
  }
  return values;
}
