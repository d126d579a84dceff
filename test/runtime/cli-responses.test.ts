import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/cli/main.js";
import { parseResponseSpecs } from "../../src/runtime/cli.js";
import { RuleEngine } from "../../src/runtime/engine.js";
import type { SyscallEvent } from "../../src/runtime/fields/syscall.js";
import type { Alert } from "../../src/runtime/output.js";
import { ResponseRunner } from "../../src/runtime/responses.js";
import { loadRuleFiles } from "../../src/runtime/run.js";
import { decodeAuditLine } from "../../src/runtime/sources/k8saudit-parse.js";
import { K8SAUDIT } from "./helpers.js";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => {
    out += c;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => {
    err += c;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "kubeward", ...argv]);
    return { code, out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("kubeward runtime rules validate", () => {
  it("exits 0 when every file loads and reports counts", async () => {
    const r = await capture([
      "runtime",
      "rules",
      "validate",
      join(K8SAUDIT, "rules/k8s_audit_rules.yaml"),
      join(K8SAUDIT, "rules/falco-0.34.1-test-rules/allow_namespace_foo.yaml"),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: 2 file\(s\), 48 active rule\(s\)/m);
    expect(r.out).toMatch(/required plugins k8saudit>=0.18.0/);
  });
  it("exits 1 with the errors, naming file, item and position", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-val-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "- rule: broken\n  desc: d\n  condition: ka.verb = create and (\n  output: o\n  priority: WARNING\n  source: k8s_audit\n- list: l\n  items: [a]\n  append: true\n- rule: no prio\n  desc: d\n  condition: ka.verb = get\n  output: o\n  source: k8s_audit\n- foo: bar\n",
    );
    const r = await capture(["runtime", "rules", "validate", bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:1: rule 'broken':`);
    expect(r.err).toMatch(/\[condition-syntax\]/);
    expect(r.err).toMatch(
      /:7: .*List has 'append' key but no list by that name already exists \[rules-no-previous\]/,
    );
    expect(r.err).toMatch(/:10: rule 'no prio': Item has no mapping for key 'priority' \[rules-schema\]/);
    expect(r.err).toMatch(/warning: .*Unknown top level object: foo \[unknown-item\]/);
    const j = await capture(["runtime", "rules", "validate", "--format", "json", bad, "/nonexistent.yaml"]);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.out);
    expect(doc.ok).toBe(false);
    expect(doc.errors.map((e: { code: string }) => e.code)).toContain("source-io");
  });
  it("lists syscall rules that need fields no kubeward source provides as inactive, with the reason", async () => {
    const r = await capture([
      "runtime",
      "rules",
      "validate",
      "../shared/conformance/falco-rules/falco_rules.yaml",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^inactive: Read sensitive file untrusted \(syscall\): uses .*evt\.is_open_read/m);
  });
});

describe("kubeward runtime run", () => {
  it("prints Falco JSON lines for a trace file", async () => {
    const r = await capture([
      "runtime",
      "run",
      "--rules",
      join(K8SAUDIT, "rules/k8s_audit_rules.yaml"),
      "--source",
      `k8saudit:${join(K8SAUDIT, "traces/create_nginx_pod_privileged.json")}`,
      "--min-priority",
      "warning",
    ]);
    expect(r.code).toBe(0);
    const alerts = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(alerts.map((a: { rule: string }) => a.rule)).toEqual(["Create Privileged Pod"]);
    expect(r.err).toMatch(/events: received=1 evaluated=1 dropped=0 malformed=0; alerts=1/);
  });
  it("text format and bad options", async () => {
    const r = await capture([
      "runtime",
      "run",
      "--format",
      "text",
      "--rules",
      join(K8SAUDIT, "rules/k8s_audit_rules.yaml"),
      "--source",
      `k8saudit:${join(K8SAUDIT, "traces/create_nginx_pod_privileged.json")}`,
      "--min-priority",
      "warning",
    ]);
    expect(r.out).toMatch(/^\d\d:\d\d:\d\d\.\d{9}: Warning Pod started with privileged container/);
    const bad = await capture([
      "runtime",
      "run",
      "--rules",
      "x.yaml",
      "--source",
      "proc",
      "--min-priority",
      "loud",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown priority 'loud'/);
    expect(() => parseResponseSpecs(["tag:k8s=explode"], {})).toThrow(/unknown action 'explode'/);
    expect(parseResponseSpecs(["tag:k8s=isolate,label", "rule:X=kill"], {})).toEqual({
      tags: { k8s: ["isolate", "label"] },
      rules: { X: ["kill"] },
    });
  });
});

describe("responses", () => {
  it("dry-run by default: isolate writes a deny-all NetworkPolicy and every response is an alert", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-resp-"));
    const emitted: Alert[] = [];
    const runner = new ResponseRunner(
      { tags: { k8s: ["isolate", "delete-pod", "label"] }, outDir: dir },
      (a) => emitted.push(a),
      () => {},
    );
    const rs = loadRuleFiles([join(K8SAUDIT, "rules/k8s_audit_rules.yaml")]);
    const eng = new RuleEngine(rs, { hostname: "h" });
    // attach to a pod names it in objectRef
    const e = decodeAuditLine(readFileSync(join(K8SAUDIT, "traces/exec_pod.json"), "utf8").split("\n")[0]!)
      .events[0]!;
    const alerts = eng.process("k8s_audit", e, e.tsNs).filter((a) => a.rule === "Attach/Exec Pod");
    expect(alerts).toHaveLength(1);
    runner.handle(alerts[0]!, { source: "k8s_audit", evt: e, tsNs: e.tsNs });
    await runner.flush();
    expect(emitted.map((a) => [a.rule, a.output_fields["response.status"]])).toEqual([
      ["kubeward response: isolate", "dry-run"],
      ["kubeward response: delete-pod", "dry-run"],
      ["kubeward response: label", "dry-run"],
    ]);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const policy = parse(readFileSync(join(dir, files[0]!), "utf8"));
    expect(policy).toMatchObject({
      kind: "NetworkPolicy",
      spec: { policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] },
    });
    expect(policy.metadata.namespace).toBe(
      String(e.raw.objectRef && (e.raw.objectRef as { namespace: string }).namespace),
    );
  });

  it("kill really kills the process when not in dry-run", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise<string | null>((r) => child.on("exit", (_c, sig) => r(sig)));
    const emitted: Alert[] = [];
    const runner = new ResponseRunner(
      { rules: { shell: ["kill"] }, dryRun: false },
      (a) => emitted.push(a),
      () => {},
    );
    const evt: SyscallEvent = {
      tsNs: Date.now() * 1e6,
      type: "execve",
      dir: "<",
      proc: {
        pid: child.pid!,
        ppid: process.pid,
        name: "sleep",
        exe: "sleep",
        exepath: "/bin/sleep",
        args: ["30"],
      },
      parents: [],
      container: { id: "host" },
      hostname: "h",
      origin: "test",
    };
    const alert: Alert = {
      time: "t",
      rule: "shell",
      priority: "Warning",
      output: "00:00:00.000000000: Warning x",
      output_fields: {},
      source: "syscall",
      tags: [],
      hostname: "h",
    };
    runner.handle(alert, { source: "syscall", evt, tsNs: evt.tsNs });
    await runner.flush();
    expect(await exited).toBe("SIGKILL");
    expect(emitted[0]!.output_fields).toMatchObject({
      "response.action": "kill",
      "response.status": "done",
      "proc.pid": child.pid,
    });
  });
});
