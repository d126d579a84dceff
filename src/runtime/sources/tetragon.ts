/**
 * `--source tetragon:FILE` (or `-` for stdin): Tetragon's JSON export, one event per line.
 * process_exec -> evt.type=execve, process_exit -> procexit, process_kprobe -> the probed function
 * (tcp_connect -> connect, inet_csk_listen_start -> listen, others keep their name), with socket
 * arguments mapped to fd.*. Tetragon gives only the direct parent, so the ancestor chain is rebuilt from
 * the process_exec events seen before (by exec_id). With `follow` the file is read as it grows and
 * across rotation.
 */
import { hostname } from "node:os";
import type { ProcInfo, SockInfo, SyscallEvent } from "../fields/syscall.js";
import type { Pipeline } from "../pipeline.js";
import { parseTimeNs } from "./k8saudit-parse.js";
import { lineReader } from "./lines.js";
import type { EventSource } from "./types.js";

type Obj = Record<string, unknown>;

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) =>
  typeof v === "number"
    ? v
    : typeof v === "string" && v !== "" && !Number.isNaN(Number(v))
      ? Number(v)
      : undefined;

/** Split Tetragon's `arguments` string; it quotes arguments that contain blanks. */
function splitArgs(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!);
  return out;
}

/** Tetragon's `cap` object lists capability names per set. */
function capsOf(cap: Obj | undefined): ProcInfo["caps"] {
  if (!cap) return undefined;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return {
    permitted: list(cap.permitted),
    effective: list(cap.effective),
    inheritable: list(cap.inheritable),
  };
}

function toProc(p: Obj | undefined): ProcInfo | undefined {
  if (!p) return undefined;
  const binary = str(p.binary) ?? "";
  const uid = num(p.uid);
  const auid = num(p.auid);
  return {
    pid: num(p.pid) ?? 0,
    ppid: 0,
    name: binary.slice(binary.lastIndexOf("/") + 1),
    exe: binary,
    exepath: binary,
    args: splitArgs(str(p.arguments)),
    cwd: str(p.cwd),
    uid,
    user: (p.user as Obj | undefined)?.name as string | undefined,
    loginuid: auid === 4294967295 ? -1 : auid,
    startNs: parseTimeNs(p.start_time),
    caps: capsOf(p.cap as Obj | undefined),
  };
}

function sockFrom(args: unknown): SockInfo | undefined {
  if (!Array.isArray(args)) return undefined;
  for (const a of args as Obj[]) {
    const s = (a?.sock_arg ?? a?.skb_arg) as Obj | undefined;
    if (!s) continue;
    const family = str(s.family) === "AF_INET6" ? 6 : 4;
    return {
      proto: str(s.protocol) === "IPPROTO_UDP" ? "udp" : "tcp",
      family,
      server: false,
      lip: str(s.saddr) ?? "",
      lport: num(s.sport) ?? 0,
      rip: str(s.daddr) ?? "",
      rport: num(s.dport) ?? 0,
      connected: true,
    };
  }
  return undefined;
}

export interface TetragonDecoder {
  decode(line: string): { event?: SyscallEvent; error?: string; skip?: boolean };
}

export function tetragonDecoder(host: string): TetragonDecoder {
  const byExecId = new Map<string, { info: ProcInfo; parentExecId?: string }>();
  let seq = 0;
  const chain = (execId: string | undefined, first?: ProcInfo): ProcInfo[] => {
    const out: ProcInfo[] = first ? [first] : [];
    let cur = execId;
    for (let i = 0; cur && i < 64; i++) {
      const k = byExecId.get(cur);
      if (!k) break;
      if (!(first && i === 0)) out.push(k.info);
      cur = k.parentExecId;
    }
    return out;
  };
  return {
    decode(line) {
      const t = line.trim();
      if (!t) return { skip: true };
      let v: Obj;
      try {
        v = JSON.parse(t) as Obj;
      } catch (e) {
        return { error: `malformed JSON: ${(e as Error).message}` };
      }
      if (!v || typeof v !== "object") return { error: "not a Tetragon event object" };
      const kind = ["process_exec", "process_exit", "process_kprobe"].find((k) => k in v);
      if (!kind) {
        return Object.keys(v).some((k) => k.startsWith("process_"))
          ? { skip: true }
          : { error: "not a Tetragon export event" };
      }
      const body = v[kind] as Obj;
      const p = body?.process as Obj | undefined;
      const proc = toProc(p);
      if (!proc) return { error: `${kind} without a process` };
      const parent = toProc(body.parent as Obj | undefined);
      if (parent) proc.ppid = parent.pid;
      const execId = str(p!.exec_id);
      const parentExecId = str(p!.parent_exec_id);
      if (kind === "process_exec" && execId) byExecId.set(execId, { info: proc, parentExecId });
      if (parent && parentExecId && !byExecId.has(parentExecId)) {
        byExecId.set(parentExecId, { info: parent, parentExecId: str((body.parent as Obj).parent_exec_id) });
      }
      const pod = p!.pod as Obj | undefined;
      const container = pod?.container as Obj | undefined;
      const cid =
        str(container?.id)
          ?.replace(/^[a-z]+:\/\//, "")
          .slice(0, 12) ?? str(p!.docker)?.slice(0, 12);
      const fn = str(body.function_name);
      const type =
        kind === "process_exec"
          ? "execve"
          : kind === "process_exit"
            ? "procexit"
            : fn === "tcp_connect"
              ? "connect"
              : fn === "inet_csk_listen_start"
                ? "listen"
                : (fn ?? "kprobe");
      const sock = kind === "process_kprobe" ? sockFrom(body.args) : undefined;
      if (sock && type === "listen") sock.server = true;
      const event: SyscallEvent = {
        tsNs: parseTimeNs(v.time) ?? Date.now() * 1e6,
        type,
        dir: "<",
        res: kind === "process_exit" ? (num(body.status) ?? 0) : 0,
        proc,
        parents: parent ? chain(parentExecId, parent) : [],
        fd: sock,
        container: {
          id: cid ?? "host",
          name: str(container?.name) ?? (cid ? undefined : "host"),
          image: str((container?.image as Obj | undefined)?.name),
        },
        k8s: pod ? { podName: str(pod.name), ns: str(pod.namespace) } : undefined,
        hostname: str(v.node_name) ?? host,
        origin: "tetragon",
        num: ++seq,
      };
      return { event };
    },
  };
}

export function tetragonSource(o: { path: string; follow?: boolean; host?: string }): EventSource {
  const reader = lineReader(o.path, !!o.follow, 250, "tetragon source");
  return {
    name: `tetragon:${o.path}`,
    async run(p: Pipeline) {
      const dec = tetragonDecoder(o.host ?? hostname());
      await reader.run(async (line) => {
        const d = dec.decode(line);
        if (d.error) p.malformed(`tetragon ${o.path}: ${d.error}`);
        if (d.event) await p.put({ source: "syscall", evt: d.event, tsNs: d.event.tsNs });
      });
    },
    async stop() {
      reader.stop();
    },
  };
}
