// A minimal ELF reader: sections by name and virtual-address reads through PT_LOAD segments.

export interface ElfSection {
  name: string;
  offset: number;
  size: number;
  addr: number;
}

export interface Elf {
  le: boolean;
  is64: boolean;
  sections: ElfSection[];
  segments: { offset: number; vaddr: number; filesz: number }[];
  data: Buffer;
}

export function isElf(b: Buffer): boolean {
  return b.length > 52 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** Parses ELF headers; returns undefined for anything that is not a sane ELF file. */
export function parseElf(data: Buffer): Elf | undefined {
  if (!isElf(data)) return undefined;
  const is64 = data[4] === 2;
  const le = data[5] !== 2;
  const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o));
  const word = (o: number) => (is64 ? u64(o) : u32(o));
  try {
    const phoff = is64 ? u64(0x20) : u32(0x1c);
    const shoff = is64 ? u64(0x28) : u32(0x20);
    const phentsize = u16(is64 ? 0x36 : 0x2a);
    const phnum = u16(is64 ? 0x38 : 0x2c);
    const shentsize = u16(is64 ? 0x3a : 0x2e);
    const shnum = u16(is64 ? 0x3c : 0x30);
    const shstrndx = u16(is64 ? 0x3e : 0x32);
    const segments: Elf["segments"] = [];
    for (let i = 0; i < phnum && phoff + (i + 1) * phentsize <= data.length; i++) {
      const p = phoff + i * phentsize;
      if (u32(p) !== 1) continue; // PT_LOAD
      segments.push(
        is64
          ? { offset: u64(p + 8), vaddr: u64(p + 16), filesz: u64(p + 32) }
          : { offset: u32(p + 4), vaddr: u32(p + 8), filesz: u32(p + 16) },
      );
    }
    const raw: { nameOff: number; offset: number; size: number; addr: number; type: number }[] = [];
    if (shoff > 0 && shoff + shnum * shentsize <= data.length) {
      for (let i = 0; i < shnum; i++) {
        const s = shoff + i * shentsize;
        raw.push({
          nameOff: u32(s),
          type: u32(s + 4),
          addr: word(is64 ? s + 16 : s + 12),
          offset: word(is64 ? s + 24 : s + 16),
          size: word(is64 ? s + 32 : s + 20),
        });
      }
    }
    const strtab = raw[shstrndx];
    const sections: ElfSection[] = raw.map((r) => {
      let name = "";
      if (strtab && strtab.offset + r.nameOff < data.length) {
        const start = strtab.offset + r.nameOff;
        const end = data.indexOf(0, start);
        name = data.toString("latin1", start, end < 0 ? start : end);
      }
      // SHT_NOBITS (8) sections have no bytes in the file.
      return { name, offset: r.offset, size: r.type === 8 ? 0 : r.size, addr: r.addr };
    });
    return { le, is64, sections, segments, data };
  } catch {
    return undefined;
  }
}

export function sectionData(elf: Elf, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.offset + s.size > elf.data.length) return undefined;
  return elf.data.subarray(s.offset, s.offset + s.size);
}

/** Reads `len` bytes at a virtual address. */
export function readAddr(elf: Elf, addr: number, len: number): Buffer | undefined {
  for (const seg of elf.segments) {
    if (addr >= seg.vaddr && addr + len <= seg.vaddr + seg.filesz) {
      const off = seg.offset + (addr - seg.vaddr);
      return off + len <= elf.data.length ? elf.data.subarray(off, off + len) : undefined;
    }
  }
  return undefined;
}
