// Real Go binaries for the catalogers' tests, built offline by the Go toolchain of this machine.
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether a Go toolchain is on PATH. */
export const hasGo: boolean = (() => {
  try {
    execFileSync("go", ["version"]);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Builds the main package in `dir` to `out` with no module proxy and no cgo (a static binary from the
 * sources given); the build cache is shared between test runs.
 */
export function goBuild(dir: string, out: string): void {
  execFileSync("go", ["build", "-o", out, "."], {
    cwd: dir,
    env: {
      ...process.env,
      GOFLAGS: "-mod=mod",
      GOPROXY: "off",
      CGO_ENABLED: "0",
      GOCACHE: join(tmpdir(), "kubeward-test-cache", "go-build"),
      GOPATH: join(tmpdir(), "kubeward-test-cache", "gopath"),
    },
    stdio: "pipe",
  });
}
