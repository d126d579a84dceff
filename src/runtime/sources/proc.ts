/**
 * `--source proc`: process and network activity of this Linux node, by polling /proc.
 *
 * Each poll lists /proc/PID; a PID not seen before (or whose start time or executable changed: an
 * exec) becomes an `execve` event with exe, cmdline, cwd, uid/gid, login uid, tty, the parent chain,
 * the container id from /proc/PID/cgroup and the pod name/namespace where the process shows them.
 * Every `socketEvery` polls, /proc/net/{tcp,tcp6,udp,udp6} are read and matched to processes through
 * /proc/PID/fd; a socket not seen before becomes `listen` (listening), `accept` (connected to a local
 * listening port) or `connect` (outbound).
 *
 * Polling cannot see processes that start and end between two polls, argv changed after exec, or
 * sockets that open and close between two socket polls; see docs/runtime.md.
 */
import { readdir, readFile, readlink } from "node:fs/promises";
import { hostname } from "node:os";
import { capNames, type ProcInfo, type SockInfo, type SyscallEvent } from "../fields/syscall.js";
import type { Pipeline } from "../pipeline.js";
import type { EventSource } from "./types.js";

export interface ProcSourceOptions {
  root?: string;
  intervalMs?: number;
  /** read sockets every N process polls (default 5) */
  socketEvery?: number;
  /** also report processes already running at start (default false) */
  includeExisting?: boolean;
  log?: (s: string) => void;
  nowNs?: () => number;
}

interface Known {
  start: number;
  exepath: string;
  info: ProcInfo;
}

const CLK_TCK = 100;

function parseStat(
  text: string,
): { comm: string; ppid: number; pgid: number; sid: number; tty: number; start: number } | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < 0) return undefined;
  const rest = text.slice(close + 2).split(" ");
  // fields after comm: state(0) ppid(1) pgrp(2) session(3) tty_nr(4) ... starttime(19)
  return {
    comm: text.slice(open + 1, close),
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    sid: Number(rest[3]),
    tty: Number(rest[4]),
    start: Number(rest[19]),
  };
}

function parseIds(status: string, key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status);
  return m ? Number(m[1]) : undefined;
}

/** Container id (12 hex chars, like Falco) and pod UID from a cgroup file. */
export function containerFromCgroup(text: string): { id: string; podUid?: string } {
  let id: string | undefined;
  let podUid: string | undefined;
  for (const line of text.split("\n")) {
    const path = line.slice(line.lastIndexOf(":") + 1);
    const m =
      /([0-9a-f]{64})(?:\.scope)?$/.exec(path) ??
      /(?:docker|crio|cri-containerd|libpod)-([0-9a-f]{64})/.exec(path);
    if (m && !id) id = m[1]!.slice(0, 12);
    const p = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(path);
    if (p && !podUid) podUid = p[1]!.replace(/_/g, "-");
  }
  return { id: id ?? "host", podUid };
}

function capsOf(status: string): ProcInfo["caps"] {
  const get = (k: string) => new RegExp(`^${k}:\\s+([0-9a-fA-F]+)`, "m").exec(status)?.[1];
  const prm = get("CapPrm");
  const eff = get("CapEff");
  const inh = get("CapInh");
  if (prm === undefined || eff === undefined) return undefined;
  return { permitted: capNames(prm), effective: capNames(eff), inheritable: capNames(inh ?? "0") };
}

function parsePasswd(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length >= 3 && f[0]) m.set(Number(f[2]), f[0]);
  }
  return m;
}

function hexIp(hex: string): string {
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join(".");
  }
  // IPv6: four little-endian 32-bit words
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = hex.slice(i, i + 8);
    const b = w.match(/../g)!.reverse().join("");
    words.push(b.slice(0, 4), b.slice(4, 8));
  }
  const v6 = words.map((w) => w.replace(/^0+(?=.)/, "").toLowerCase()).join(":");
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(v6);
  if (mapped) {
    const hi = Number.parseInt(mapped[1]!, 16);
    const lo = Number.parseInt(mapped[2]!, 16);
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  }
  return v6.replace(/(^|:)0(:0)+(:|$)/, "::");
}

export interface NetEntry {
  inode: string;
  proto: "tcp" | "udp";
  family: 4 | 6;
  lip: string;
  lport: number;
  rip: string;
  rport: number;
  /** tcp state code: 0A = LISTEN, 01 = ESTABLISHED; udp 07 = unconnected */
  state: string;
}

export function parseNetTable(text: string, proto: "tcp" | "udp", family: 4 | 6): NetEntry[] {
  const out: NetEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1]!.split(":");
    const [ra, rp] = f[2]!.split(":");
    out.push({
      inode: f[9]!,
      proto,
      family,
      lip: hexIp(la!),
      lport: Number.parseInt(lp!, 16),
      rip: hexIp(ra!),
      rport: Number.parseInt(rp!, 16),
      state: f[3]!,
    });
  }
  return out;
}

export function procSource(o: ProcSourceOptions = {}): EventSource {
  const root = o.root ?? "/proc";
  const host = hostname();
  const nowNs = o.nowNs ?? (() => Date.now() * 1e6);
  let stopped = false;
  let wake: (() => void) | undefined;
  const known = new Map<number, Known>();
  let seq = 0;
  const seenSockets = new Set<string>();
  let users = new Map<number, string>();
  let groups = new Map<number, string>();

  const read = (p: string) => readFile(p, "utf8").catch(() => undefined);

  async function readProc(
    pid: number,
  ): Promise<{ info: ProcInfo; start: number; cgroup?: string; env?: string[] } | undefined> {
    const base = `${root}/${pid}`;
    const stat = await read(`${base}/stat`);
    if (!stat) return undefined;
    const st = parseStat(stat);
    if (!st) return undefined;
    const [cmdRaw, exepath, cwd, status, loginuid, cgroup, environ] = await Promise.all([
      read(`${base}/cmdline`),
      readlink(`${base}/exe`).catch(() => ""),
      readlink(`${base}/cwd`).catch(() => undefined),
      read(`${base}/status`),
      read(`${base}/loginuid`),
      read(`${base}/cgroup`),
      readFile(`${base}/environ`, "latin1").catch(() => undefined),
    ]);
    const argv = (cmdRaw ?? "").split("\0");
    if (argv[argv.length - 1] === "") argv.pop();
    const uid = status ? parseIds(status, "Uid") : undefined;
    const gid = status ? parseIds(status, "Gid") : undefined;
    const luid = loginuid !== undefined ? Number(loginuid.trim()) : undefined;
    const env = environ ? environ.split("\0").filter(Boolean) : undefined;
    const info: ProcInfo = {
      pid,
      ppid: st.ppid,
      name: st.comm,
      exe: argv[0] ?? st.comm,
      exepath: exepath.replace(/ \(deleted\)$/, ""),
      args: argv.slice(1),
      cwd: cwd ? `${cwd}${cwd.endsWith("/") ? "" : "/"}` : undefined,
      uid,
      gid,
      user: uid !== undefined ? (users.get(uid) ?? String(uid)) : undefined,
      group: gid !== undefined ? (groups.get(gid) ?? String(gid)) : undefined,
      loginuid: luid === 4294967295 ? -1 : luid,
      loginname: luid !== undefined && luid !== 4294967295 ? users.get(luid) : undefined,
      tty: st.tty,
      sid: st.sid,
      pgid: st.pgid,
      env,
      caps: status ? capsOf(status) : undefined,
    };
    return { info, start: st.start, cgroup, env };
  }

  async function parentsOf(ppid: number): Promise<ProcInfo[]> {
    const out: ProcInfo[] = [];
    let cur = ppid;
    for (let depth = 0; cur > 0 && depth < 64; depth++) {
      let k = known.get(cur)?.info;
      if (!k) {
        const r = await readProc(cur);
        if (!r) break;
        k = r.info;
        known.set(cur, { start: r.start, exepath: r.info.exepath, info: r.info });
      }
      out.push(k);
      cur = k.ppid;
    }
    return out;
  }

  async function k8sOf(pid: number, env: string[] | undefined, podUid: string | undefined) {
    if (!podUid) return undefined;
    const ns = await read(`${root}/${pid}/root/var/run/secrets/kubernetes.io/serviceaccount/namespace`);
    const podName = env?.find((e) => e.startsWith("HOSTNAME="))?.slice(9);
    return { podName, ns: ns?.trim(), podUid };
  }

  async function pollProcesses(p: Pipeline, emit: boolean): Promise<void> {
    const pids = (await readdir(root).catch(() => [] as string[]))
      .filter((n) => /^[0-9]+$/.test(n))
      .map(Number);
    const alive = new Set(pids);
    for (const pid of known.keys()) if (!alive.has(pid)) known.delete(pid);
    for (const pid of pids) {
      const prev = known.get(pid);
      if (prev) {
        // cheap check first: same start time and executable = nothing new (an exec changes the exe)
        const stat = await read(`${root}/${pid}/stat`);
        const st = stat ? parseStat(stat) : undefined;
        if (!st) continue;
        if (st.start === prev.start) {
          const exe = await readlink(`${root}/${pid}/exe`).catch(() => "");
          if (exe.replace(/ \(deleted\)$/, "") === prev.exepath) continue;
        }
      }
      const r = await readProc(pid);
      if (!r) continue;
      known.set(pid, { start: r.start, exepath: r.info.exepath, info: r.info });
      if (!emit) continue;
      const cg = containerFromCgroup(r.cgroup ?? "");
      const evt: SyscallEvent = {
        tsNs: nowNs(),
        type: "execve",
        dir: "<",
        res: 0,
        proc: r.info,
        parents: await parentsOf(r.info.ppid),
        container: { id: cg.id, name: cg.id === "host" ? "host" : undefined },
        k8s: await k8sOf(pid, r.env, cg.podUid),
        hostname: host,
        origin: "proc",
        num: ++seq,
      };
      p.offer({ source: "syscall", evt, tsNs: evt.tsNs });
    }
  }

  async function pollSockets(p: Pipeline, emit: boolean): Promise<void> {
    const tables: NetEntry[] = [];
    for (const [file, proto, fam] of [
      ["tcp", "tcp", 4],
      ["tcp6", "tcp", 6],
      ["udp", "udp", 4],
      ["udp6", "udp", 6],
    ] as const) {
      const t = await read(`${root}/net/${file}`);
      if (t) tables.push(...parseNetTable(t, proto, fam));
    }
    const byInode = new Map<string, NetEntry>();
    for (const e of tables) if (e.inode !== "0") byInode.set(e.inode, e);
    const listening = new Set(tables.filter((e) => e.state === "0A").map((e) => e.lport));
    for (const [pid, k] of known) {
      const fds = await readdir(`${root}/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const link = await readlink(`${root}/${pid}/fd/${fd}`).catch(() => "");
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (!m) continue;
        const e = byInode.get(m[1]!);
        if (!e) continue;
        const key = `${pid}:${k.start}:${e.inode}`;
        if (seenSockets.has(key)) continue;
        seenSockets.add(key);
        if (!emit) continue;
        const isListen = e.state === "0A" || (e.proto === "udp" && e.rport === 0);
        const server = isListen || listening.has(e.lport);
        const type = isListen ? "listen" : server ? "accept" : "connect";
        const sock: SockInfo = {
          proto: e.proto,
          family: e.family,
          server,
          lip: e.lip,
          lport: e.lport,
          rip: e.rip,
          rport: e.rport,
          fdnum: Number(fd),
          connected: !isListen,
        };
        const cgroup = await read(`${root}/${pid}/cgroup`);
        const cg = containerFromCgroup(cgroup ?? "");
        const evt: SyscallEvent = {
          tsNs: nowNs(),
          type,
          dir: "<",
          res: 0,
          proc: k.info,
          parents: await parentsOf(k.info.ppid),
          fd: sock,
          container: { id: cg.id, name: cg.id === "host" ? "host" : undefined },
          k8s: await k8sOf(pid, k.info.env, cg.podUid),
          hostname: host,
          origin: "proc",
          num: ++seq,
        };
        p.offer({ source: "syscall", evt, tsNs: evt.tsNs });
      }
    }
  }

  return {
    name: "proc",
    async run(p: Pipeline): Promise<void> {
      users = parsePasswd((await read("/etc/passwd")) ?? "");
      groups = parsePasswd((await read("/etc/group")) ?? "");
      const every = o.socketEvery ?? 5;
      let n = 0;
      await pollProcesses(p, !!o.includeExisting);
      await pollSockets(p, !!o.includeExisting);
      while (!stopped) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, o.intervalMs ?? 100);
        });
        if (stopped) break;
        await pollProcesses(p, true);
        if (++n % every === 0) await pollSockets(p, true);
      }
    },
    async stop() {
      stopped = true;
      wake?.();
    },
  };
}

export const _test = { parseStat, hexIp, CLK_TCK };
