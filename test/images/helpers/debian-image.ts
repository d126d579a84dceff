// Builds (once, cached under the OS temp dir) a real Debian bookworm minbase image with
// shared/tools/make-debian-image.sh. Needs root, debootstrap and umoci (about 30-60 s the first time).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SHARED = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../../shared");
export const DEBIAN_DIR = join(tmpdir(), "kubeward-test-cache", "debian-bookworm");
export const DEBIAN_OCI = join(DEBIAN_DIR, "oci");
export const DEBIAN_ROOTFS = join(DEBIAN_DIR, "rootfs");
const DONE = join(DEBIAN_DIR, ".done");

export function ensureDebianImage(): { oci: string; rootfs: string; tag: string } {
  if (!existsSync(DONE)) {
    mkdirSync(DEBIAN_DIR, { recursive: true });
    const lock = join(DEBIAN_DIR, "..", "debian-bookworm.lock");
    // Serialise concurrent test files with flock(1); the second waiter finds .done.
    execFileSync(
      "flock",
      [
        lock,
        "bash",
        "-c",
        `test -f "$1" || { bash "$2" "$3" bookworm >/dev/null && touch "$1"; }`,
        "_",
        DONE,
        join(SHARED, "tools", "make-debian-image.sh"),
        DEBIAN_DIR,
      ],
      { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 },
    );
  }
  return { oci: DEBIAN_OCI, rootfs: DEBIAN_ROOTFS, tag: "bookworm" };
}
