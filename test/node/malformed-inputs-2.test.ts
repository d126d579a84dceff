// /proc oddities met by scan node: cmdlines that are not files, cmdlines without NULs, processes that
// vanish between the listing and the read. Each is skipped with a count (unreadable ones are named in
// errors), nothing crashes, and the processes that can be read are still used. A node root on disk
// with real FIFOs, and the machine's real /proc with real short-lived processes.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listProcesses } from "../../src/node/detect.js";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import type { ProcessSkips } from "../../src/node/types.js";
import { kubeadmWorker } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");

describe("/proc entries that cannot be read", () => {
  it("are counted and named; a cmdline without NULs and the readable processes are still used", () => {
    const r = kubeadmWorker();
    try {
      mkdirSync(join(r.dir, "proc/4001/cmdline"), { recursive: true }); // a directory
      mkdirSync(join(r.dir, "proc/4002"));
      execFileSync("mkfifo", [join(r.dir, "proc/4002/cmdline")]); // would block a plain read
      mkdirSync(join(r.dir, "proc/4003")); // no cmdline at all
      mkdirSync(join(r.dir, "proc/4004"));
      symlinkSync("/nowhere", join(r.dir, "proc/4004/cmdline"));
      r.put("/proc/4005/cmdline", ""); // a kernel thread: nothing to read, nothing wrong
      // A process that rewrote its title as one string: no NULs at all.
      r.put("/proc/4006/cmdline", "kube-proxy --config=/var/lib/kube-proxy/config.conf --profiling=true");
      const reader = fsHostReader(r.dir);
      const skips: ProcessSkips = { vanished: 0, unreadable: [] };
      const started = Date.now();
      const procs = listProcesses(reader, skips);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(skips).toEqual({ vanished: 0, unreadable: [4001, 4002, 4003, 4004] });
      expect(procs.find((p) => p.pid === 4006)).toMatchObject({
        name: "kube-proxy",
        argv: ["kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--profiling=true"],
      });
      expect(procs.some((p) => p.pid === 4005)).toBe(false);

      const { report } = scanNode({ reader, now, host: false, benchmark: "cis-1.10" });
      const errors = report.errors as Array<{ file?: string; code?: string; message: string }>;
      expect(errors.filter((e) => e.code === "proc-unreadable")).toEqual([
        {
          file: "/proc",
          code: "proc-unreadable",
          message:
            "4 processes could not be read (PID 4001, 4002, 4003, 4004: /proc/PID/cmdline is not a readable file); components they run are not detected from their flags",
        },
      ]);
      expect((report.node as { skippedProcesses?: unknown }).skippedProcesses).toEqual({
        vanished: 0,
        unreadable: 4,
      });
      // The title-rewritten kube-proxy is still found, from its process.
      expect((report.node as { components: Record<string, unknown> }).components["kube-proxy"]).toEqual({
        source: "process",
        where: "/proc/4006/cmdline",
        pid: 4006,
      });
    } finally {
      r.remove();
    }
  }, 20_000);
});

describe("the real /proc with processes coming and going", () => {
  it("reads a title without NULs from a real process and counts processes that vanish mid-read", async () => {
    // A real process that rewrites its title (perl's $0 writes over argv): one string, no NULs inside.
    // (The title is longer than the original argv, so no leftover of it follows the title's NUL.)
    const titled = spawn("perl", ["-e", "$0 = $ENV{KW_TITLE}; sleep 30"], {
      stdio: "ignore",
      env: { ...process.env, KW_TITLE: "kube-scheduler --profiling=true --bind-address=127.0.0.1" },
    });
    // A storm of processes living a few milliseconds each.
    const storm = spawn("sh", ["-c", "while :; do /bin/true & /bin/true & wait; done"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const reader = fsHostReader("/");
      const skips: ProcessSkips = { vanished: 0, unreadable: [] };
      let scheduler: ReturnType<typeof listProcesses>[number] | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (skips.vanished === 0 || !scheduler)) {
        const procs = listProcesses(reader, skips);
        for (const p of procs) expect(p.argv.length).toBeGreaterThan(0);
        // Until perl has started and set its title, the process reads as perl.
        const mine = procs.find((p) => p.pid === titled.pid);
        if (mine?.name !== "perl") scheduler ??= mine;
      }
      expect(scheduler).toMatchObject({
        name: "kube-scheduler",
        argv: ["kube-scheduler", "--profiling=true", "--bind-address=127.0.0.1"],
      });
      expect(skips.vanished).toBeGreaterThan(0);
      // We run as root: every process that still exists can be read.
      expect(skips.unreadable).toEqual([]);
    } finally {
      storm.kill("SIGKILL");
      titled.kill("SIGKILL");
    }
  }, 30_000);
});
