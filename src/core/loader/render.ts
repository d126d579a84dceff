// Rendering of Helm charts and Kustomize directories with the user's own tools.
// A missing tool is an error for that directory only; the rest of the scan goes on.
import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { ScanError } from "../model.js";

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `cmd args` in `cwd`; returns undefined when `cmd` is not installed. */
export type ToolRunner = (cmd: string, args: string[], cwd: string) => Promise<ToolResult> | undefined;

const MAX_OUTPUT = 256 * 1024 * 1024;
const TIMEOUT_MS = 5 * 60 * 1000;

/** Looks `name` up in a PATH-style list of directories. */
export function findExecutable(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The runner used unless the caller injects one: finds the tool on `searchPath` (default: $PATH) and runs it. */
export function systemToolRunner(searchPath: string | undefined = process.env.PATH): ToolRunner {
  return (cmd, args, cwd) => {
    const exe = findExecutable(cmd, searchPath);
    if (!exe) return undefined;
    return new Promise((resolve) => {
      execFile(
        exe,
        args,
        { cwd, maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS, encoding: "utf8" },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === "number"
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ stdout, stderr: stderr || (err ? err.message : ""), code });
        },
      );
    });
  };
}

export type RenderOutcome = { text: string } | { error: ScanError };

function failure(display: string, tool: string, result: ToolResult): { error: ScanError } {
  const detail = result.stderr.trim().split("\n").slice(0, 3).join(" / ") || `exit code ${result.code}`;
  return {
    error: {
      file: display,
      code: "render-failed",
      message: `${display}: ${tool} failed (exit ${result.code}): ${detail}`,
    },
  };
}

/** `helm template <dir>` (the tools get absolute paths and run inside the directory). */
export async function renderHelm(dir: string, display: string, run: ToolRunner): Promise<RenderOutcome> {
  const abs = resolve(dir);
  const pending = run("helm", ["template", abs], abs);
  if (!pending) {
    return {
      error: {
        file: display,
        code: "tool-missing",
        message: `${display}: is a Helm chart (Chart.yaml) but helm is not installed (not found on PATH); chart not scanned. Install helm, or render it yourself: helm template ${display} | kubeward scan manifests -`,
      },
    };
  }
  const result = await pending;
  return result.code === 0 ? { text: result.stdout } : failure(display, "helm template", result);
}

/** `kustomize build <dir>`, or `kubectl kustomize <dir>` when only kubectl is installed. */
export async function renderKustomize(dir: string, display: string, run: ToolRunner): Promise<RenderOutcome> {
  const abs = resolve(dir);
  let tool = "kustomize build";
  let pending = run("kustomize", ["build", abs], abs);
  if (!pending) {
    tool = "kubectl kustomize";
    pending = run("kubectl", ["kustomize", abs], abs);
  }
  if (!pending) {
    return {
      error: {
        file: display,
        code: "tool-missing",
        message: `${display}: is a Kustomize directory but neither kustomize nor kubectl is installed (not found on PATH); directory not scanned. Install one, or render it yourself: kubectl kustomize ${display} | kubeward scan manifests -`,
      },
    };
  }
  const result = await pending;
  return result.code === 0 ? { text: result.stdout } : failure(display, tool, result);
}

const SOURCE_COMMENT = /^# Source: (.+?)\s*$/m;

/**
 * Maps a document of `helm template` output to the template it came from: helm writes
 * `# Source: <chart-name>/templates/x.yaml`; the chart name is replaced by the chart directory.
 */
export function helmSourceFile(docText: string, chartDisplay: string): string | undefined {
  const m = SOURCE_COMMENT.exec(docText);
  if (!m) return undefined;
  const rel = m[1];
  const slash = rel.indexOf("/");
  if (slash < 0) return undefined;
  return join(chartDisplay, rel.slice(slash + 1));
}
