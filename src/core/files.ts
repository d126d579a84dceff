// Reading a file that a user names (a config, a key, an ignore file) without trusting what stands at
// that path: a FIFO or device put where a file belongs would hang a plain read for ever.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";

/** The path holds something that must not be read: not a regular file, or too large. */
export class FileRefusedError extends Error {}

/**
 * The bytes of the regular file `path` of at most `maxBytes`, opened without blocking and checked
 * before it is read. Throws a FileRefusedError ("not a regular file (FIFO, socket, device or
 * directory)", "N bytes is more than the M-byte limit") or the system's error (ENOENT...).
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileRefusedError("not a regular file (FIFO, socket, device or directory)");
    if (st.size > maxBytes)
      throw new FileRefusedError(`${st.size} bytes is more than the ${maxBytes}-byte limit`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
