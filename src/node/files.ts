// File audits: permission bits and owners of the files the benchmark names.
import type { Audit, FileRef } from "./benchmark.js";
import { firstExisting } from "./detect.js";
import type { PathKey } from "./distributions.js";
import type { HostReader } from "./reader.js";
import { lookupSetting } from "./settings.js";
import type { Evidence, NodeFacts, Verdict } from "./types.js";

const KEY_COMPONENT: Partial<Record<PathKey, string>> = {
  apiserverManifest: "kube-apiserver",
  controllerManagerManifest: "kube-controller-manager",
  controllerManagerKubeconfig: "kube-controller-manager",
  schedulerManifest: "kube-scheduler",
  schedulerKubeconfig: "kube-scheduler",
  etcdManifest: "etcd",
  etcdDataDir: "etcd",
  adminConf: "control-plane",
  superAdminConf: "control-plane",
  pkiDir: "control-plane",
  manifestsDir: "control-plane",
  kubeletService: "kubelet",
  kubeletConfig: "kubelet",
  kubeletKubeconfig: "kubelet",
  kubeletCaFile: "kubelet",
  proxyKubeconfig: "kube-proxy",
  proxyConfig: "kube-proxy",
  cniConfDir: "cni",
  cniDataDir: "cni",
};

interface ResolvedFiles {
  paths: string[];
  missing?: string;
  notApplicable?: string;
  component: string;
  key: string;
}

function resolveFiles(
  ref: FileRef,
  also: readonly PathKey[] | undefined,
  facts: NodeFacts,
  reader: HostReader,
): ResolvedFiles {
  const component = ref.setting?.component ?? (ref.key ? (KEY_COMPONENT[ref.key] ?? "node") : "node");
  let path: string | undefined;
  let key = ref.key ?? ref.setting?.flag ?? "";
  if (ref.setting) {
    const comp = facts.components[ref.setting.component];
    if (comp) {
      const l = lookupSetting(comp, facts, ref.setting.flag, {
        config: ref.setting.config,
        useDefault: false,
      });
      if (l.value !== undefined) {
        path = l.value;
        key = l.key;
      }
    }
  }
  if (path === undefined && ref.key) {
    const candidates = facts.paths[ref.key];
    if (candidates === null)
      return { paths: [], notApplicable: `${facts.distribution} has no ${ref.key} file`, component, key };
    path = firstExisting(reader, candidates);
    if (path === undefined) {
      const extra = collectAlso(also, facts, reader);
      if (extra.length > 0) return { paths: extra, component, key };
      return { paths: [], missing: candidates.join(" or "), component, key };
    }
  }
  if (path === undefined)
    return {
      paths: [],
      missing: `the file named by ${ref.setting?.component} ${ref.setting?.flag}`,
      component,
      key,
    };
  if (!reader.stat(path)) return { paths: [], missing: path, component, key };
  return { paths: [path, ...collectAlso(also, facts, reader)], component, key };
}

function collectAlso(also: readonly PathKey[] | undefined, facts: NodeFacts, reader: HostReader): string[] {
  const out: string[] = [];
  for (const k of also ?? []) {
    const p = firstExisting(reader, facts.paths[k]);
    if (p) out.push(p);
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
}

/** The directory itself and everything under it (symlinks are not followed into), in a stable order. */
function walk(reader: HostReader, dir: string, match: RegExp | undefined, limit = 10_000): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0 && out.length < limit) {
    const cur = stack.pop() as string;
    const st = reader.stat(cur);
    if (!st) continue;
    const name = cur.slice(cur.lastIndexOf("/") + 1);
    if (!match || (!st.isDirectory && match.test(name))) out.push(cur);
    if (st.isDirectory) {
      const entries = reader.list(cur) ?? [];
      for (let i = entries.length - 1; i >= 0; i--) stack.push(`${cur.replace(/\/$/, "")}/${entries[i]}`);
    }
  }
  return out.sort();
}

export function fileAudit(
  a: Extract<Audit, { type: "mode" | "owner" }>,
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const r = resolveFiles(a.file, a.also, facts, reader);
  const kind = a.type === "mode" ? "file-permissions" : "file-owner";
  const expected = a.type === "mode" ? `${a.max.toString(8)} or stricter` : a.expected;
  if (r.notApplicable) return { ok: "skip", message: r.notApplicable };
  if (r.missing !== undefined) {
    const ev: Evidence = { component: r.component, kind, key: r.key, path: null, actual: null, expected };
    if (a.ifMissing === "skip") return { ok: "skip", message: `${r.missing} does not exist` };
    return { ok: a.ifMissing === "pass", message: `${r.missing} does not exist`, evidence: ev };
  }
  let files = r.paths;
  if (a.walk) {
    const re = a.walk.match ? globToRegExp(a.walk.match) : undefined;
    files = r.paths.flatMap((p) => walk(reader, p, re));
    if (files.length === 0)
      return { ok: true, message: `no file matches ${a.walk.match ?? "*"} under ${r.paths.join(", ")}` };
  }
  const bad: Array<{ path: string; actual: string }> = [];
  let firstActual = "";
  for (const f of files) {
    const st = reader.stat(f);
    if (!st) continue;
    const actual = a.type === "mode" ? st.mode.toString(8).padStart(3, "0") : ownerOf(st.uid, st.gid, facts);
    if (!firstActual) firstActual = actual;
    const ok =
      a.type === "mode"
        ? (st.mode & ~a.max & 0o777) === 0 && (st.mode & 0o7000) === 0
        : actual === a.expected;
    if (!ok) bad.push({ path: f, actual });
  }
  if (bad.length === 0) {
    return {
      ok: true,
      message:
        files.length === 1
          ? `${files[0]} is ${firstActual}`
          : `${files.length} files checked, all ${expected}`,
      evidence: { component: r.component, kind, key: r.key, path: files[0], actual: firstActual, expected },
      path: files[0],
    };
  }
  const list = bad.slice(0, 5).map((b) => `${b.path} is ${b.actual}`);
  const more = bad.length > 5 ? ` and ${bad.length - 5} more` : "";
  return {
    ok: false,
    message: `${list.join(", ")}${more}; expected ${expected}`,
    evidence: {
      component: r.component,
      kind,
      key: r.key,
      path: bad[0].path,
      actual: bad[0].actual,
      expected,
    },
    path: bad.length === 1 ? bad[0].path : (r.paths[0] ?? bad[0].path),
  };
}

function ownerOf(uid: number, gid: number, facts: NodeFacts): string {
  return `${facts.users.get(uid) ?? String(uid)}:${facts.groups.get(gid) ?? String(gid)}`;
}
