import type { CatalogFile } from "../../core/cataloger.js";
import { ImageError } from "../errors.js";
import { type Elf, isElf, parseElf, readAddr, sectionData } from "./elf.js";
import type { ImageCataloger, LangPackage } from "./types.js";

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");

export interface GoBuildInfo {
  goVersion: string;
  path?: string;
  main?: { path: string; version: string };
  deps: { path: string; version: string }[];
  settings: Record<string, string>;
}

function readVarint(b: Buffer, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = pos; i < b.length && shift < 63; i++) {
    const byte = b[i]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, i + 1];
    shift += 7;
  }
  return [-1, pos];
}

function readGoString(elf: Elf, addr: number, ptrSize: number): string | undefined {
  const hdr = readAddr(elf, addr, ptrSize * 2);
  if (!hdr) return undefined;
  const rd = (o: number) =>
    ptrSize === 8
      ? Number(elf.le ? hdr.readBigUInt64LE(o) : hdr.readBigUInt64BE(o))
      : elf.le
        ? hdr.readUInt32LE(o)
        : hdr.readUInt32BE(o);
  const ptr = rd(0);
  const len = rd(ptrSize);
  if (len > 1 << 24) return undefined;
  return readAddr(elf, ptr, len)?.toString("utf8");
}

/** Finds the build-info blob: the .go.buildinfo section, else the magic at a 16-byte boundary. */
function findBuildInfo(elf: Elf): Buffer | undefined {
  const sec = sectionData(elf, ".go.buildinfo");
  if (sec?.subarray(0, 14).equals(MAGIC)) return sec;
  for (let at = elf.data.indexOf(MAGIC); at >= 0; at = elf.data.indexOf(MAGIC, at + 1)) {
    if (at % 16 === 0) return elf.data.subarray(at, at + 64 * 1024);
  }
  return undefined;
}

/** The owner name of the note every Go linker writes (the Go build ID, note type 4). */
const GO_NOTE_NAME = Buffer.from("Go\0\0", "latin1");

/**
 * True when the file was linked by Go even though its build info is gone: the section table names
 * Go's sections, or the Go build ID note sits in the first pages (Go writes it right after the headers).
 */
function hasGoMarks(elf: Elf): boolean {
  if (elf.sections.some((s) => s.name === ".go.buildinfo" || s.name === ".note.go.buildid")) return true;
  const head = elf.data.subarray(0, 64 * 1024);
  const u32 = (o: number) => (elf.le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  // A note header is namesz, descsz, type, then the name: "Go\0\0" with namesz 4 and type 4.
  for (let at = head.indexOf(GO_NOTE_NAME, 12); at >= 12; at = head.indexOf(GO_NOTE_NAME, at + 1))
    if (u32(at - 12) === 4 && u32(at - 4) === 4) return true;
  return false;
}

/** Build info a Go binary carries but that cannot be read: reported, never taken for "not Go". */
function corrupt(message: string): ImageError {
  return new ImageError("parse-error", `corrupt Go build info: ${message}`);
}

/**
 * Reads the Go toolchain version and module information a Go binary carries (what `go version -m` prints).
 * Undefined for files that are not Go binaries; throws "parse-error" for a Go binary whose build info
 * is damaged or cut off.
 */
export function readGoBuildInfo(data: Buffer): GoBuildInfo | undefined {
  const elf = parseElf(data);
  if (!elf) return undefined;
  const bi = findBuildInfo(elf);
  if (bi) return parseBuildInfoBlob(bi, elf);
  if (hasGoMarks(elf))
    throw corrupt("the file was linked by Go but holds no build info (truncated or damaged)");
  return undefined;
}

/**
 * Parses the build-info blob that starts with the magic. The Go 1.18+ inline form needs nothing else;
 * the older pointer form needs the ELF file to follow the pointers. Throws "parse-error" when the blob
 * is damaged (lengths or pointers leading outside the file).
 */
function parseBuildInfoBlob(bi: Buffer, elf?: Elf): GoBuildInfo {
  if (bi.length < 32 || !bi.subarray(0, 14).equals(MAGIC)) throw corrupt("header shorter than 32 bytes");
  const ptrSize = bi[14]!;
  const flags = bi[15]!;
  let version: string | undefined;
  let mod: string | undefined;
  if (flags & 2) {
    // Go 1.18+: two varint-prefixed strings right after the 32-byte header.
    let pos = 32;
    const strs: string[] = [];
    for (const what of ["toolchain version", "module info"]) {
      const [len, next] = readVarint(bi, pos);
      if (len < 0) throw corrupt(`the length of the ${what} is not a valid varint`);
      if (next + len > bi.length)
        throw corrupt(`the ${what} claims ${len} bytes, past the end of the build info (${bi.length} bytes)`);
      strs.push(bi.toString("utf8", next, next + len));
      pos = next + len;
    }
    [version, mod] = strs;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw corrupt(`pointer size ${ptrSize}`);
    if (!elf)
      throw new ImageError(
        "file-too-large",
        "a Go binary older than Go 1.18 is read whole to follow its build-info pointers, and this one exceeds the file size limit",
      );
    const big = (flags & 1) === 1;
    const rd = (o: number) =>
      ptrSize === 8
        ? Number(big ? bi.readBigUInt64BE(o) : bi.readBigUInt64LE(o))
        : big
          ? bi.readUInt32BE(o)
          : bi.readUInt32LE(o);
    version = readGoString(elf, rd(16), ptrSize);
    mod = readGoString(elf, rd(16 + ptrSize), ptrSize);
    if (version === undefined) throw corrupt("the toolchain version points outside the file");
  }
  if (!version) throw corrupt("empty toolchain version");
  // The module info is framed by 16-byte sentinels.
  if (mod && mod.length >= 33 && mod[mod.length - 17] === "\n") mod = mod.slice(16, -16);
  const info: GoBuildInfo = { goVersion: version, deps: [], settings: {} };
  for (const line of (mod ?? "").split("\n")) {
    const f = line.split("\t");
    switch (f[0]) {
      case "path":
        info.path = f[1];
        break;
      case "mod":
        info.main = { path: f[1] ?? "", version: f[2] ?? "" };
        break;
      case "dep":
        info.deps.push({ path: f[1] ?? "", version: f[2] ?? "" });
        break;
      case "=>": {
        // A replacement by another module changes what is linked in; a local directory keeps the original's identity.
        const last = info.deps.at(-1);
        const to = f[1] ?? "";
        if (last && to && !/^(\.|\/)/.test(to)) Object.assign(last, { path: to, version: f[2] ?? "" });
        break;
      }
      case "build": {
        const kv = f[1] ?? "";
        const eq = kv.indexOf("=");
        if (eq > 0) info.settings[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
    }
  }
  return info;
}

/** "go1.22.4 X:boringcrypto" → "1.22.4". */
export function goToolchainVersion(v: string): string {
  return v.replace(/^go/, "").split(/\s/)[0]!;
}

export function goBinaryPackages(data: Buffer, file: string): LangPackage[] {
  return packagesOf(readGoBuildInfo(data), file);
}

function packagesOf(info: GoBuildInfo | undefined, file: string): LangPackage[] {
  if (!info) return [];
  const out: LangPackage[] = [];
  if (info.main?.path) {
    out.push({
      name: info.main.path,
      version: info.main.version === "(devel)" ? "" : info.main.version,
      ecosystem: "Go",
      path: file,
    });
  }
  for (const d of info.deps)
    if (d.path) out.push({ name: d.path, version: d.version, ecosystem: "Go", path: file });
  out.push({ name: "stdlib", version: goToolchainVersion(info.goVersion), ecosystem: "Go", path: file });
  return out;
}

/** Executable files are read and checked for ELF + Go build info. */
export function isExecutableCandidate(path: string, size: number, mode: number): boolean {
  return (mode & 0o111) !== 0 && size > 1024 && !/\.(sh|py|pl|rb|js|so(\.[\d.]+)?)$/.test(path);
}

export const goBinaryCataloger: ImageCataloger = {
  id: "go-binary",
  wants: isExecutableCandidate,
  catalog: (file: CatalogFile) => (isElf(file.data) ? goBinaryPackages(file.data, file.path) : []),
  // Executables too large to hold are scanned as they stream past for the (Go 1.18+) build info.
  window: { magic: MAGIC, keep: 256 * 1024, align: 16 },
  catalogWindow: (file: CatalogFile) => packagesOf(parseBuildInfoBlob(file.data), file.path),
};
