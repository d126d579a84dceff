/**
 * Falco's syscall-source fields (evt.*, proc.*, thread.*, user.*, group.*, fd.*, container.*, k8s.*)
 * over kubeward's process/network events. Every field the libsinsp rule language knows is listed so
 * that rule files load; the ones our sources (polling /proc, Tetragon JSON) cannot fill have no
 * extractor and a reason, and rules that use them are reported inactive.
 */
import { type Extracted, type FieldDef, type FieldTable, type FieldType, makeTable } from "./types.js";

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** comm / executable base name */
  name: string;
  /** argv[0] as given */
  exe: string;
  /** resolved executable path (/proc/PID/exe) */
  exepath: string;
  args: string[];
  cwd?: string;
  uid?: number;
  gid?: number;
  user?: string;
  group?: string;
  loginuid?: number;
  loginname?: string;
  tty?: number;
  sid?: number;
  pgid?: number;
  env?: string[];
  startNs?: number;
  /** capability sets as names (CAP_SYS_ADMIN, ...) */
  caps?: { permitted: string[]; effective: string[]; inheritable: string[] };
}

const CAP_NAMES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
];

/** A capability mask as /proc/PID/status prints it (hex) to names. */
export function capNames(hex: string): string[] {
  const v = BigInt(`0x${hex.trim() || "0"}`);
  const out: string[] = [];
  for (let i = 0; i < CAP_NAMES.length; i++) if ((v >> BigInt(i)) & 1n) out.push(`CAP_${CAP_NAMES[i]}`);
  return out;
}

export interface SockInfo {
  proto: "tcp" | "udp";
  family: 4 | 6;
  /** true for listening/accepted (server side) sockets */
  server: boolean;
  lip: string;
  lport: number;
  rip: string;
  rport: number;
  fdnum?: number;
  connected: boolean;
}

export interface SyscallEvent {
  tsNs: number;
  /** execve, procexit, connect, listen, accept */
  type: string;
  dir: "<" | ">";
  res?: number;
  proc: ProcInfo;
  /** parent first, then grandparent, ... */
  parents: ProcInfo[];
  fd?: SockInfo;
  container: { id: string; name?: string; image?: string };
  k8s?: { podName?: string; ns?: string; podUid?: string };
  hostname: string;
  /** which source produced it (proc, tetragon) */
  origin: string;
  /** event number, from 1, per source (evt.num) */
  num?: number;
}

type X = (e: SyscallEvent, arg: string | undefined) => Extracted;
const defs: FieldDef<SyscallEvent>[] = [];
function f(
  name: string,
  type: FieldType,
  extract: X | undefined,
  opts: Partial<FieldDef<SyscallEvent>> = {},
): void {
  defs.push({
    name,
    type,
    desc: opts.desc ?? name,
    ...opts,
    extract,
    unavailable: extract
      ? undefined
      : (opts.unavailable ?? "not observable by polling /proc or from Tetragon process events"),
  });
}
const NA = undefined;
const cmdline = (p: ProcInfo) => (p.args.length > 0 ? `${p.name} ${p.args.join(" ")}` : p.name);
/** ancestor at depth n: 0 = the process itself, 1 = parent, ... */
const anc = (e: SyscallEvent, n: number): ProcInfo | undefined => (n === 0 ? e.proc : e.parents[n - 1]);
function ancestors<T>(pick: (p: ProcInfo) => T | undefined): X {
  return (e, arg) => {
    if (arg !== undefined) {
      const p = anc(e, Number(arg));
      return p ? (pick(p) as Extracted) : undefined;
    }
    const vals = e.parents.map(pick).filter((v) => v !== undefined) as (string | number)[];
    return vals.length > 0 ? vals : undefined;
  };
}
const ipType = (e: SyscallEvent) => e.fd && (e.fd.family === 4 ? "ipv4" : "ipv6");
const server = (e: SyscallEvent) =>
  e.fd && (e.fd.server ? { ip: e.fd.lip, port: e.fd.lport } : { ip: e.fd.rip, port: e.fd.rport });
const client = (e: SyscallEvent) =>
  e.fd && (e.fd.server ? { ip: e.fd.rip, port: e.fd.rport } : { ip: e.fd.lip, port: e.fd.lport });
const fdName = (e: SyscallEvent) => {
  const s = e.fd;
  if (!s) return NA;
  if (s.rport === 0 && s.server) return `${s.lip}:${s.lport}`;
  const c = client(e)!;
  const v = server(e)!;
  return `${c.ip}:${c.port}->${v.ip}:${v.port}`;
};

// ---- evt.*
f("evt.type", "string", (e) => e.type);
f("evt.dir", "string", (e) => e.dir);
f("evt.rawtime", "abstime", (e) => e.tsNs);
f("evt.time", "string", (e) => new Date(e.tsNs / 1e6).toISOString().slice(11, 23));
f("evt.datetime", "string", (e) => new Date(e.tsNs / 1e6).toISOString());
f("evt.res", "string", (e) => (e.res === undefined ? NA : e.res === 0 ? "SUCCESS" : String(e.res)));
f("evt.rawres", "number", (e) => e.res);
f("evt.failed", "bool", (e) => (e.res === undefined ? NA : e.res < 0 ? "true" : "false"));
f("evt.hostname", "string", (e) => e.hostname);
f("evt.source", "string", () => "syscall");
f("evt.is_async", "bool", () => "false");
f("evt.num", "number", (e) => e.num);
for (const n of ["evt.cpu", "evt.latency", "evt.deltatime", "evt.count"]) f(n, "number", NA);
for (const n of [
  "evt.args",
  "evt.info",
  "evt.category",
  "evt.plugininfo",
  "evt.abspath",
  "evt.abspath.src",
  "evt.abspath.dst",
]) {
  f(n, "string", NA);
}
for (const n of [
  "evt.is_open_read",
  "evt.is_open_write",
  "evt.is_open_exec",
  "evt.is_open_create",
  "evt.is_io",
  "evt.is_io_read",
  "evt.is_io_write",
  "evt.is_wait",
  "evt.is_syslog",
]) {
  f(n, "bool", NA, { unavailable: "file and I/O system calls are not observed" });
}
f("evt.buffer", "bytebuf", NA);
f("evt.arg", "string", NA, {
  arg: "index-or-key",
  dottedArg: true,
  unavailable: "system call arguments are not observed",
});
f("evt.rawarg", "string", NA, {
  arg: "key",
  dottedArg: true,
  unavailable: "system call arguments are not observed",
});

// ---- proc.* / thread.*
f("proc.pid", "number", (e) => e.proc.pid);
f("proc.vpid", "number", (e) => e.proc.pid);
f("proc.ppid", "number", (e) => e.proc.ppid);
f("proc.vpgid", "number", (e) => e.proc.pgid);
f("proc.sid", "number", (e) => e.proc.sid);
f("thread.tid", "number", (e) => e.proc.pid);
f("thread.vtid", "number", (e) => e.proc.pid);
f("proc.name", "string", (e) => e.proc.name);
f("proc.exe", "string", (e) => e.proc.exe);
f("proc.exepath", "string", (e) => e.proc.exepath || NA);
f("proc.args", "string", (e) => e.proc.args.join(" "));
f("proc.cmdline", "string", (e) => cmdline(e.proc));
f("proc.cmdnargs", "number", (e) => e.proc.args.length);
f("proc.cmdlenargs", "number", (e) => e.proc.args.reduce((n, a) => n + a.length, 0));
f("proc.exeline", "string", (e) => [e.proc.exe, ...e.proc.args].join(" "));
f("proc.cwd", "string", (e) => e.proc.cwd);
f("proc.tty", "number", (e) => e.proc.tty);
f(
  "proc.env",
  "string",
  (e, a) => {
    const env = e.proc.env;
    if (!env) return NA;
    if (a === undefined) return env.join(" ");
    const hit = env.find((kv) => kv.startsWith(`${a}=`));
    return hit === undefined ? NA : hit.slice(a.length + 1);
  },
  { arg: "key" },
);
f("proc.pname", "string", (e) => e.parents[0]?.name);
f("proc.pexe", "string", (e) => e.parents[0]?.exe);
f("proc.pexepath", "string", (e) => e.parents[0]?.exepath || NA);
f("proc.pcmdline", "string", (e) => (e.parents[0] ? cmdline(e.parents[0]) : NA));
f(
  "proc.aname",
  "string",
  ancestors((p) => p.name),
  { arg: "index" },
);
f(
  "proc.apid",
  "number",
  ancestors((p) => p.pid),
  { arg: "index" },
);
f(
  "proc.aexe",
  "string",
  ancestors((p) => p.exe),
  { arg: "index" },
);
f(
  "proc.aexepath",
  "string",
  ancestors((p) => p.exepath || undefined),
  { arg: "index" },
);
f("proc.acmdline", "string", ancestors(cmdline), { arg: "index" });
f("proc.is_vpgid_leader", "bool", (e) =>
  e.proc.pgid === undefined ? NA : e.proc.pgid === e.proc.pid ? "true" : "false",
);
f("proc.is_sid_leader", "bool", (e) =>
  e.proc.sid === undefined ? NA : e.proc.sid === e.proc.pid ? "true" : "false",
);
for (const n of [
  "proc.sname",
  "proc.vpgid.name",
  "proc.vpgid.exe",
  "proc.vpgid.exepath",
  "proc.sid.exe",
  "proc.sid.exepath",
  "proc.loginshellid",
]) {
  f(n, "string", NA, { unavailable: "session and process-group leaders are not tracked" });
}
for (const n of [
  "proc.duration",
  "proc.ppid.duration",
  "proc.exe_ino",
  "proc.exe_ino.ctime",
  "proc.exe_ino.mtime",
  "proc.exe_ino.ctime_duration_proc_start",
  "proc.exe_ino.ctime_duration_pidns_start",
  "proc.pidns_init_start_ts",
  "proc.vmsize",
  "proc.vmrss",
  "proc.fdopencount",
  "proc.nthreads",
  "proc.nchilds",
  "proc.stdin.type",
  "proc.stdout.type",
]) {
  f(n, "number", NA);
}
for (const n of [
  "proc.is_exe_writable",
  "proc.is_exe_upper_layer",
  "proc.is_exe_from_memfd",
  "proc.is_container_healthcheck",
  "proc.is_container_liveness_probe",
  "proc.is_container_readiness_probe",
  "thread.is_main_thread",
]) {
  f(n, "bool", NA);
}
for (const n of ["proc.fd.name", "proc.stdin.name", "proc.stdout.name", "proc.stderr.name"]) {
  f(n, "string", NA);
}

f("thread.cap_permitted", "string", (e) => e.proc.caps?.permitted.join(" "));
f("thread.cap_effective", "string", (e) => e.proc.caps?.effective.join(" "));
f("thread.cap_inheritable", "string", (e) => e.proc.caps?.inheritable.join(" "));

// ---- user.* / group.*
f("user.uid", "number", (e) => e.proc.uid);
f("user.name", "string", (e) => e.proc.user ?? (e.proc.uid === undefined ? NA : String(e.proc.uid)));
f("user.loginuid", "number", (e) => e.proc.loginuid);
f("user.loginname", "string", (e) => e.proc.loginname);
f("user.homedir", "string", NA);
f("user.shell", "string", NA);
f("group.gid", "number", (e) => e.proc.gid);
f("group.name", "string", (e) => e.proc.group ?? (e.proc.gid === undefined ? NA : String(e.proc.gid)));

// ---- fd.* (sockets only)
f("fd.num", "number", (e) => e.fd?.fdnum);
f("fd.type", "string", ipType);
f("fd.typechar", "string", (e) => e.fd && String(e.fd.family));
f("fd.l4proto", "string", (e) => e.fd?.proto);
f("fd.sockfamily", "string", (e) => e.fd && "ip");
f("fd.name", "string", fdName);
f("fd.nameraw", "string", fdName);
f("fd.connected", "bool", (e) => e.fd && (e.fd.connected ? "true" : "false"));
f("fd.is_server", "bool", (e) => e.fd && (e.fd.server ? "true" : "false"));
f("fd.sip", "ipaddr", (e) => server(e)?.ip);
f("fd.cip", "ipaddr", (e) => client(e)?.ip);
f("fd.lip", "ipaddr", (e) => e.fd?.lip);
f("fd.rip", "ipaddr", (e) => e.fd?.rip);
f("fd.sport", "number", (e) => server(e)?.port);
f("fd.cport", "number", (e) => client(e)?.port);
f("fd.lport", "number", (e) => e.fd?.lport);
f("fd.rport", "number", (e) => e.fd?.rport);
f("fd.ip", "ipaddr", (e) => e.fd && [e.fd.lip, e.fd.rip]);
f("fd.port", "number", (e) => e.fd && [e.fd.lport, e.fd.rport]);
f("fd.net", "ipnet", (e) => e.fd && [e.fd.lip, e.fd.rip]);
f("fd.snet", "ipnet", (e) => server(e)?.ip);
f("fd.cnet", "ipnet", (e) => client(e)?.ip);
f("fd.lnet", "ipnet", (e) => e.fd?.lip);
f("fd.rnet", "ipnet", (e) => e.fd?.rip);
f("fd.sproto", "string", NA);
f("fd.lproto", "string", NA);
f("fd.rproto", "string", NA);
f("fd.cproto", "string", NA);
for (const n of ["fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name"])
  f(n, "string", NA, { unavailable: "DNS names of peers are not resolved" });
for (const n of [
  "fd.directory",
  "fd.filename",
  "fd.containername",
  "fd.containerdirectory",
  "fd.uid",
  "fd.types",
  "fd.dev",
  "fd.ino",
]) {
  f(n, "string", NA, { unavailable: "file descriptors other than sockets are not observed" });
}
for (const n of ["fd.name_changed", "fd.is_upper_layer", "fd.is_lower_layer"]) f(n, "bool", NA);
f("fd.mount_type", "string", NA);
f("fs.path.name", "string", NA);
f("fs.path.nameraw", "string", NA);
f("fs.path.source", "string", NA);
f("fs.path.target", "string", NA);

// ---- container.* / k8s.*
f("container.id", "string", (e) => e.container.id);
f("container.name", "string", (e) => e.container.name ?? (e.container.id === "host" ? "host" : NA));
f("container.image", "string", (e) => e.container.image);
f("container.image.repository", "string", (e) => e.container.image?.split(":")[0]?.split("@")[0]);
f("container.image.tag", "string", (e) => {
  const i = e.container.image;
  const c = i?.lastIndexOf(":") ?? -1;
  return i && c > i.lastIndexOf("/") ? i.slice(c + 1) : NA;
});
for (const n of [
  "container.image.id",
  "container.image.digest",
  "container.type",
  "container.mounts",
  "container.mount",
  "container.mount.source",
  "container.mount.dest",
  "container.mount.mode",
  "container.mount.rdwr",
  "container.mount.propagation",
  "container.host_pid",
  "container.host_network",
  "container.host_ipc",
  "container.label",
  "container.ip",
  "container.cni.json",
  "container.healthcheck",
]) {
  f(n, "string", NA, { arg: "key", unavailable: "container metadata from the runtime is not read" });
}
f("container.privileged", "bool", NA, { unavailable: "container metadata from the runtime is not read" });
f("container.start_ts", "abstime", NA, { unavailable: "container metadata from the runtime is not read" });
f("container.duration", "reltime", NA, { unavailable: "container metadata from the runtime is not read" });
f("k8s.pod.name", "string", (e) => e.k8s?.podName);
f("k8s.ns.name", "string", (e) => e.k8s?.ns);
f("k8s.pod.uid", "string", (e) => e.k8s?.podUid);
f("k8s.pod.id", "string", (e) => e.k8s?.podUid);
for (const n of [
  "k8s.pod.label",
  "k8s.pod.labels",
  "k8s.pod.ip",
  "k8s.pod.cni.json",
  "k8s.rc.name",
  "k8s.rs.name",
  "k8s.svc.name",
  "k8s.deployment.name",
  "k8s.ns.label",
]) {
  f(n, "string", NA, { arg: "key", unavailable: "the Kubernetes API is not queried for pod metadata" });
}
f("spl.name", "string", NA);

export const SYSCALL_FIELDS: FieldTable<SyscallEvent> = makeTable("syscall", defs);
