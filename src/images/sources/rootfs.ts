import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { errorMessage, ImageError } from "../errors.js";
import { followDatabaseLinks } from "../links.js";
import type { FsEntry } from "../vfs.js";
import type { Collector } from "../walker.js";

function readFileBounded(full: string, size: number): Buffer {
  const fd = openSync(full, "r");
  try {
    return readFd(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** Up to `size` bytes from the start of an open file. */
function readFd(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return off === size ? buf : buf.subarray(0, off);
}

/**
 * Walks a root filesystem directory as if it were one layer. Symlinks are recorded, never followed, so
 * nothing outside DIR is read; unreadable entries are reported and skipped.
 */
export async function walkRootfs(col: Collector, dir: string): Promise<void> {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch {
    throw new ImageError("not-found", "no such directory", dir);
  }
  if (!st.isDirectory()) throw new ImageError("bad-reference", "rootfs: is not a directory", dir);
  const stack: string[] = [""];
  while (stack.length) {
    const rel = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(join(dir, rel));
    } catch (err) {
      col.errors.push({ file: rel || ".", message: `cannot list: ${errorMessage(err)}`, code: "unreadable" });
      continue;
    }
    names.sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, path);
      col.countEntry(dir);
      let s: ReturnType<typeof lstatSync>;
      try {
        s = lstatSync(full);
      } catch (err) {
        col.errors.push({ file: path, message: `cannot stat: ${errorMessage(err)}`, code: "unreadable" });
        continue;
      }
      const mode = Number(s.mode) & 0o7777;
      const size = Number(s.size);
      if (s.isDirectory()) {
        col.fs.set(path, { kind: "dir", size: 0, mode, layer: -1 });
        stack.push(path);
        continue;
      }
      if (s.isSymbolicLink()) {
        let link = "";
        try {
          link = readlinkSync(full);
        } catch {}
        col.fs.set(path, { kind: "symlink", size: 0, mode, layer: -1, link });
        continue;
      }
      const entry: FsEntry = { kind: s.isFile() ? "file" : "other", size, mode, layer: -1 };
      if (!s.isFile()) entry.special = s.isFIFO() ? "FIFO" : s.isSocket() ? "socket" : "device";
      col.fs.set(path, entry);
      if (!s.isFile()) {
        // FIFOs, sockets and devices are never read (a FIFO would block the walk); one standing
        // where a cataloger expects its file is said rather than dropped.
        if (col.wantsBytes(path, 0, mode))
          col.errors.push({
            file: path,
            message: "not a regular file (FIFO, socket or device): not read",
            code: "not-regular-file",
          });
        continue;
      }
      const cats = col.wantsBytes(path, size, mode);
      if (!cats) continue;
      if (
        size > col.limits.maxFileSize &&
        cats !== "retain" &&
        cats.some((c) => c.window && c.catalogWindow)
      ) {
        try {
          await col.catalogLarge(path, entry, createReadStream(full), cats);
        } catch (err) {
          col.errors.push({ file: path, message: `cannot read: ${errorMessage(err)}`, code: "unreadable" });
        }
        continue;
      }
      if (size > col.limits.maxFileSize) {
        col.errors.push({
          file: path,
          message: `${size} bytes exceeds the ${col.limits.maxFileSize}-byte limit; not read`,
          code: "file-too-large",
        });
        continue;
      }
      let data: Buffer;
      try {
        data = readFileBounded(full, size);
      } catch (err) {
        col.errors.push({ file: path, message: `cannot read: ${errorMessage(err)}`, code: "unreadable" });
        continue;
      }
      col.catalog(path, entry, data, cats);
    }
  }
  await followDatabaseLinks(col, (_layer, paths) => Promise.resolve(readLinkTargets(dir, paths, col)));
}

/**
 * Reads the files links at package-database paths lead to. The paths come from the walk with every
 * link resolved inside DIR; the last component is opened without following links or blocking.
 */
function readLinkTargets(
  dir: string,
  paths: ReadonlySet<string>,
  col: Collector,
): Map<string, Buffer | string> {
  const out = new Map<string, Buffer | string>();
  for (const path of paths) {
    let fd: number | undefined;
    try {
      fd = openSync(join(dir, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile()) out.set(path, "not a regular file");
      else if (st.size > col.limits.maxFileSize)
        out.set(path, `${st.size} bytes exceeds the ${col.limits.maxFileSize}-byte limit`);
      else out.set(path, readFd(fd, st.size));
    } catch (err) {
      out.set(path, errorMessage(err));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return out;
}
