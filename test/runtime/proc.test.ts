import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuleEngine } from "../../src/runtime/engine.js";
import { capNames } from "../../src/runtime/fields/syscall.js";
import type { Alert } from "../../src/runtime/output.js";
import { Pipeline } from "../../src/runtime/pipeline.js";
import { loadRules } from "../../src/runtime/rules/loader.js";
import { defaultTables } from "../../src/runtime/sources/index.js";
import { containerFromCgroup, parseNetTable, procSource } from "../../src/runtime/sources/proc.js";
import { FALCO_RULES, readRules } from "./helpers.js";

const RULES = `
- rule: kw test sleep spawned
  desc: a sleep started by sh under this test
  condition: evt.type = execve and proc.name = sleep and proc.pname = sh and proc.args startswith "7.4"
  output: "sleep spawned (pid=%proc.pid ppid=%proc.ppid exe=%proc.exepath cmd=%proc.cmdline parent=%proc.pname gp=%proc.aname[2] gppid=%proc.apid[2] uid=%user.uid user=%user.name cwd=%proc.cwd container=%container.id caps=%thread.cap_effective)"
  priority: WARNING
  tags: [test]
- rule: kw test listen
  desc: a listening socket of this test process
  condition: evt.type = listen and fd.l4proto = tcp and proc.pid = PID and fd.lip = 127.0.0.1
  output: "listen (pid=%proc.pid port=%fd.lport ip=%fd.lip name=%fd.name)"
  priority: NOTICE
- rule: kw test connect
  desc: an outbound connection of this test process
  condition: evt.type = connect and proc.pid = PID and fd.rip = 127.0.0.1
  output: "connect (pid=%proc.pid from=%fd.cip:%fd.cport to=%fd.sip:%fd.sport)"
  priority: NOTICE
`;

function collect() {
  const alerts: Alert[] = [];
  return { alerts, sink: { write: (a: Alert) => void alerts.push(a), flush: async () => {} } };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("proc source (real processes and sockets on this machine)", () => {
  it("reports a spawned process with the right fields and parent chain, and a listen and a connect", async () => {
    const rs = loadRules([{ path: "test.yaml", text: RULES.replaceAll("PID", String(process.pid)) }], {
      tables: defaultTables(),
    });
    expect(rs.errors).toEqual([]);
    const { alerts, sink } = collect();
    const p = new Pipeline(new RuleEngine(rs, { hostname: "t" }), [sink]);
    const src = procSource({ intervalMs: 50, socketEvery: 2 });
    const running = src.run(p);
    await new Promise((r) => setTimeout(r, 300)); // the first poll only learns what already runs
    const held: import("node:net").Socket[] = [];
    const server: Server = createServer((s) => void held.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const t0 = Date.now();
    const child = spawn("sh", ["-c", "sleep 7.4; true"], { cwd: "/tmp", stdio: "ignore" });
    const client = connect(port, "127.0.0.1");
    await until(() => alerts.filter((a) => a.rule.startsWith("kw test")).length >= 3, 5000);
    const latency = Date.now() - t0;
    child.kill("SIGKILL");
    client.destroy();
    await src.stop();
    await running;
    await p.flush();
    for (const s of held) s.destroy();
    server.close();

    const spawned = alerts.find((a) => a.rule === "kw test sleep spawned");
    expect(spawned, `alerts: ${alerts.map((a) => a.rule).join(", ")}`).toBeDefined();
    const f = spawned!.output_fields;
    expect(f["proc.ppid"]).toBe(child.pid);
    expect(f["proc.cmdline"]).toBe("sleep 7.4");
    expect(String(f["proc.exepath"])).toMatch(/\/sleep$/);
    expect(f["proc.pname"]).toBe("sh");
    expect(f["proc.apid[2]"]).toBe(process.pid);
    expect(f["proc.aname[2]"]).toBe("node");
    expect(f["user.uid"]).toBe(process.getuid!());
    expect(f["proc.cwd"]).toBe("/tmp/");
    expect(typeof f["container.id"]).toBe("string");
    // same capability sets as this test process (sleep inherits them); names like Falco prints them
    const mine = /^CapEff:\s+([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1]!;
    expect(f["thread.cap_effective"] ?? "").toBe(
      process.getuid!() === 0 ? capNames(mine).join(" ") : (f["thread.cap_effective"] ?? ""),
    );
    expect(spawned!.output).toMatch(/^\d\d:\d\d:\d\d\.\d{9}: Warning sleep spawned \(pid=\d+ ppid=/);

    const listen = alerts.find((a) => a.rule === "kw test listen");
    expect(listen?.output_fields["proc.pid"]).toBe(process.pid);
    expect(listen?.output_fields["fd.name"]).toBe(`127.0.0.1:${port}`);
    const conn = alerts.find((a) => a.rule === "kw test connect");
    expect(conn?.output_fields["proc.pid"]).toBe(process.pid);
    expect(conn?.output_fields["fd.sport"]).toBe(port);
    expect(conn?.output_fields["fd.sip"]).toBe("127.0.0.1");
    console.log(
      `proc source: first alerts ${latency} ms after spawn (50 ms process polls, sockets every 100 ms)`,
    );
    expect(p.counters.dropped).toBe(0);
  }, 20_000);

  it("fires the upstream Falco rule 'Execution from /dev/shm' for a real process", async () => {
    const rs = loadRules(readRules(join(FALCO_RULES, "falco_rules.yaml")), { tables: defaultTables() });
    expect(rs.errors).toEqual([]);
    expect(rs.rules.map((r) => r.name)).toContain("Execution from /dev/shm");
    const { alerts, sink } = collect();
    const p = new Pipeline(new RuleEngine(rs, { hostname: "t" }), [sink]);
    const src = procSource({ intervalMs: 50, socketEvery: 1000 });
    const running = src.run(p);
    await new Promise((r) => setTimeout(r, 300));
    const bin = `/dev/shm/kw-test-sleep-${process.pid}`;
    copyFileSync(existsSync("/bin/sleep") ? "/bin/sleep" : "/usr/bin/sleep", bin);
    const child = spawn("sh", ["-c", `${bin} 7.5; true`], { stdio: "ignore" });
    const t0 = Date.now();
    const shm = () => alerts.filter((a) => a.rule === "Execution from /dev/shm");
    await until(() => shm().some((a) => a.output_fields["proc.exepath"] === bin), 5000);
    const latency = Date.now() - t0;
    child.kill("SIGKILL");
    await src.stop();
    await running;
    unlinkSync(bin);
    // both the shell (`sh -c /dev/shm/...`) and the binary itself match the upstream condition
    const hit = shm().find((a) => a.output_fields["proc.exepath"] === bin);
    expect(hit, alerts.map((a) => a.rule).join(", ")).toBeDefined();
    expect(hit!.output_fields["proc.pname"]).toBe("sh");
    expect(hit!.priority).toBe("Warning");
    expect(shm().some((a) => a.output_fields["proc.name"] === "sh")).toBe(true);
    console.log(`proc source: upstream rule alert ${latency} ms after spawn (50 ms polls)`);
  }, 20_000);

  it("names capability masks", () => {
    expect(capNames("0000000000200000")).toEqual(["CAP_SYS_ADMIN"]);
    expect(capNames("0000000000000003")).toEqual(["CAP_CHOWN", "CAP_DAC_OVERRIDE"]);
    expect(capNames("0000008000000000")).toEqual(["CAP_BPF"]);
    expect(capNames("0")).toEqual([]);
  });

  it("reads container ids and pod UIDs from cgroup paths", () => {
    const id = "3f1e9a0c4b2d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
    expect(
      containerFromCgroup(
        `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/cri-containerd-${id}.scope\n`,
      ),
    ).toEqual({
      id: id.slice(0, 12),
      podUid: "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
    });
    expect(containerFromCgroup(`12:memory:/docker/${id}\n`).id).toBe(id.slice(0, 12));
    expect(containerFromCgroup("0::/user.slice/user-1000.slice/session-2.scope\n")).toEqual({
      id: "host",
      podUid: undefined,
    });
  });

  it("parses /proc/net tables (IPv4 and IPv6, LISTEN and ESTABLISHED)", () => {
    const v4 = parseNetTable(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n",
      "tcp",
      4,
    );
    expect(v4[0]).toMatchObject({
      lip: "127.0.0.1",
      lport: 8080,
      rip: "0.0.0.0",
      rport: 0,
      state: "0A",
      inode: "12345",
    });
    const v6 = parseNetTable(
      "  sl  local_address                         remote_address                        st\n" +
        "   0: 00000000000000000000000001000000:0050 0000000000000000FFFF00000100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 999 1\n",
      "tcp",
      6,
    );
    expect(v6[0]).toMatchObject({ lip: "::1", lport: 80, rip: "127.0.0.1", rport: 54321, state: "01" });
  });
});
