import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = resolve(ROOT, "bin", "kubeward");

/** The CLI tests run the real built binary; build once if the suite runs before `npm run build`. */
export function ensureBuilt(): void {
  if (existsSync(resolve(ROOT, "dist", "cli", "main.js"))) return;
  const r = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function kubeward(
  args: string[],
  opts: { input?: string; cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI in this process (so coverage and breakpoints see it); returns the exit code and what
 * went to stdout and stderr. With `stderrIsTTY`, stderr says it is a terminal, as a TTY would.
 */
export async function runInProcess(
  args: string[],
  opts: { stderrIsTTY?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const wasTTY = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
  if (opts.stderrIsTTY !== undefined) {
    Object.defineProperty(process.stderr, "isTTY", {
      value: opts.stderrIsTTY,
      configurable: true,
      writable: true,
    });
  }
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  try {
    const code = await main(["node", "kubeward", ...args]);
    return { code, stdout, stderr };
  } finally {
    spy.mockRestore();
    outSpy.mockRestore();
    if (opts.stderrIsTTY !== undefined) {
      if (wasTTY) Object.defineProperty(process.stderr, "isTTY", wasTTY);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    process.exitCode = undefined;
  }
}
