import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from "node:fs";
import { posix } from "node:path";

/** What the engine may learn about one file on the node. */
export interface FileInfo {
  /** Permission bits only (e.g. 0o600). */
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
  size: number;
}

/**
 * The only door from the engine to the node's file system. Every path is absolute
 * as seen on the node ("/etc/kubernetes/manifests/kube-apiserver.yaml"); the reader
 * maps it under its root. Missing files give `undefined`, never an exception.
 */
export interface HostReader {
  readonly root: string;
  readFile(path: string, maxBytes?: number): string | undefined;
  stat(path: string): FileInfo | undefined;
  /** Entry names of a directory, sorted; undefined when it is not a readable directory. */
  list(path: string): string[] | undefined;
  /** Finds the first match of `re` in a (possibly huge) file, reading it in chunks. */
  grep(path: string, re: RegExp, maxBytes?: number): string | undefined;
}

const DEFAULT_MAX = 8 * 1024 * 1024;

/**
 * Opens a file for reading without blocking: a plain open of a FIFO waits for a writer forever, and
 * a FIFO or device placed where a config file belongs must not hang the scan. Only regular files are
 * read; anything else gives undefined.
 */
function openRegular(path: string): number | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  return undefined;
}

/** A HostReader over a directory holding the host's root file system (`/` or `/host`). */
export function fsHostReader(root: string): HostReader {
  const abs = (p: string): string => {
    // Normalise and keep the path inside the root even for "../" tricks in flag values.
    const clean = posix.normalize(`/${p}`).replace(/^(\/\.\.)+/, "");
    return root === "/" ? clean : posix.join(root, clean);
  };
  return {
    root,
    readFile(path, maxBytes = DEFAULT_MAX) {
      let fd: number | undefined;
      try {
        fd = openRegular(abs(path));
        if (fd === undefined) return undefined;
        const st = fstatSync(fd);
        // /proc files report size 0: read in chunks until EOF or the cap.
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
          const buf = Buffer.alloc(Math.min(Math.max(st.size + 1, 4096), maxBytes - total));
          if (buf.length === 0) break;
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n <= 0) break;
          chunks.push(n === buf.length ? buf : buf.subarray(0, n));
          total += n;
          if (total >= maxBytes) break;
        }
        return Buffer.concat(chunks).toString("utf8");
      } catch {
        return undefined;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    },
    stat(path) {
      try {
        const st = statSync(abs(path));
        return {
          mode: st.mode & 0o7777,
          uid: st.uid,
          gid: st.gid,
          isDirectory: st.isDirectory(),
          size: st.size,
        };
      } catch {
        try {
          // A dangling symlink still exists as far as the benchmark is concerned.
          const st = lstatSync(abs(path));
          return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, isDirectory: false, size: st.size };
        } catch {
          return undefined;
        }
      }
    },
    list(path) {
      try {
        return readdirSync(abs(path)).sort();
      } catch {
        return undefined;
      }
    },
    grep(path, re, maxBytes = 512 * 1024 * 1024) {
      let fd: number | undefined;
      try {
        fd = openRegular(abs(path));
        if (fd === undefined) return undefined;
        const chunk = Buffer.alloc(4 * 1024 * 1024);
        let carry = "";
        let pos = 0;
        while (pos < maxBytes) {
          const n = readSync(fd, chunk, 0, chunk.length, pos);
          if (n <= 0) break;
          pos += n;
          const text = carry + chunk.toString("latin1", 0, n);
          const m = re.exec(text);
          if (m) return m[0];
          carry = text.slice(-256);
        }
        return undefined;
      } catch {
        return undefined;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    },
  };
}
