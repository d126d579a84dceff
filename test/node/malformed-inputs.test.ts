// Hostile and malformed files on a node's root: each one gets an error naming the file, and the
// rest of the scan goes on. Real files, real FIFOs and real symlink loops on disk.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { BIN, ensureBuilt } from "../cli/helpers.js";
import { apiserverManifest, kubeadmWorker, NodeRoot } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");

function replaceWithFifo(root: string, path: string): void {
  rmSync(join(root, path), { force: true });
  execFileSync("mkfifo", [join(root, path)]);
}

type Err = { file?: string; code: string; message: string };
const errorsOf = (report: { errors: unknown }) => report.errors as Err[];
const statusOf = (results: Array<{ check: { id: string }; status: string }>, id: string) =>
  results.find((x) => x.check.id === id)?.status;

describe("scan node on a root with hostile files", () => {
  // A FIFO opened for reading blocks until a writer comes: without care the whole scan would hang.
  it("a FIFO in place of the kubelet config, a kubeconfig and an sshd config does not hang the scan", () => {
    const r = kubeadmWorker();
    try {
      replaceWithFifo(r.dir, "var/lib/kubelet/config.yaml");
      replaceWithFifo(r.dir, "etc/kubernetes/kubelet.conf");
      r.put("/etc/ssh/sshd_config", "PermitRootLogin no\n");
      replaceWithFifo(r.dir, "etc/ssh/sshd_config");
      const reader = fsHostReader(r.dir);
      expect(reader.readFile("/var/lib/kubelet/config.yaml")).toBeUndefined();
      expect(reader.grep("/etc/kubernetes/kubelet.conf", /server/)).toBeUndefined();
      const { report, results } = scanNode({ reader, now, host: true, benchmark: "cis-1.10" });
      expect(errorsOf(report)).toContainEqual(
        expect.objectContaining({ file: "/var/lib/kubelet/config.yaml", code: "config-missing" }),
      );
      // The other kubelet checks still ran, from the flags and the defaults.
      expect(statusOf(results, "4.2.1")).toBeDefined();
      expect(results.length).toBeGreaterThan(10);
    } finally {
      r.remove();
    }
  }, 20_000);

  it("a kubelet config that is a symlink loop is reported as unreadable, by path", () => {
    const r = kubeadmWorker();
    try {
      rmSync(join(r.dir, "var/lib/kubelet/config.yaml"));
      symlinkSync("config.yaml", join(r.dir, "var/lib/kubelet/config.yaml"));
      const { report, results } = scanNode({
        reader: fsHostReader(r.dir),
        now,
        host: false,
        benchmark: "cis-1.10",
      });
      expect(errorsOf(report)).toContainEqual(
        expect.objectContaining({ file: "/var/lib/kubelet/config.yaml", code: "config-missing" }),
      );
      expect(statusOf(results, "4.2.1")).toBeDefined();
    } finally {
      r.remove();
    }
  });

  it("an alias bomb, deep nesting, binary bytes and a list at the top of a kubelet config are errors naming the file", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 8 }, (_, i) => {
        const prev = i === 0 ? "a" : `l${i - 1}`;
        return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
    ].join("\n");
    const cases: Array<[string, string | Buffer, string]> = [
      ["alias bomb", `${bomb}\n`, "yaml-syntax"],
      ["deep nesting", `${"[".repeat(50_000)}${"]".repeat(50_000)}\n`, "yaml-syntax"],
      ["binary", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0xff, 0xfe, 0x3a, 0x0a]), "binary-file"],
      ["list", "- authentication\n- authorization\n", "config-shape"],
    ];
    for (const [name, content, code] of cases) {
      const r = kubeadmWorker();
      try {
        writeFileSync(join(r.dir, "var/lib/kubelet/config.yaml"), content);
        const started = Date.now();
        const { report, results } = scanNode({
          reader: fsHostReader(r.dir),
          now,
          host: false,
          benchmark: "cis-1.10",
        });
        expect(Date.now() - started, name).toBeLessThan(10_000);
        const err = errorsOf(report).find((e) => e.file === "/var/lib/kubelet/config.yaml");
        expect(err?.code, name).toBe(code);
        expect(err?.message, name).toContain("/var/lib/kubelet/config.yaml");
        expect(statusOf(results, "4.2.1"), name).toBeDefined();
      } finally {
        r.remove();
      }
    }
  });

  it("a FIFO and a broken static pod manifest next to a good one: the good one is still audited", () => {
    const r = new NodeRoot();
    try {
      r.put("/etc/kubernetes/manifests/kube-apiserver.yaml", apiserverManifest(), 0o600);
      r.put("/etc/kubernetes/manifests/kube-scheduler.yaml", `spec: ${"[".repeat(100_000)}\n`, 0o600);
      r.put("/etc/kubernetes/manifests/etcd.yaml", "", 0o600);
      replaceWithFifo(r.dir, "etc/kubernetes/manifests/etcd.yaml");
      const { report, results } = scanNode({
        reader: fsHostReader(r.dir),
        now,
        host: false,
        targets: ["master"],
      });
      const files = errorsOf(report).map((e) => e.file);
      expect(files).toContain("/etc/kubernetes/manifests/kube-scheduler.yaml");
      // The API server's flags were read from its manifest: a flag check has a verdict.
      expect(statusOf(results, "1.2.15")).toMatch(/pass|fail/);
    } finally {
      r.remove();
    }
  }, 20_000);
});

describe("scan node --kube-bench-config with hostile files", () => {
  it("a FIFO among the controls files exits 2 at once naming it, instead of waiting for a writer", () => {
    ensureBuilt();
    const r = kubeadmWorker();
    const controls = join(r.dir, "..", `kw-kube-bench-${process.pid}`);
    try {
      mkdirSync(controls);
      execFileSync("mkfifo", [join(controls, "node.yaml")]);
      const run = spawnSync(
        process.execPath,
        [BIN, "scan", "node", "--root", r.dir, "--kube-bench-config", controls, "--format", "json"],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim()).toBe(
        `kubeward: ${controls}/node.yaml: not a regular file (FIFO, socket, device or directory)`,
      );
    } finally {
      rmSync(controls, { recursive: true, force: true });
      r.remove();
    }
  }, 40_000);
});
