// Opt-in mutation: a JSONPatch (RFC 6902) that makes a pod (or a workload's pod template) pass the
// restricted Pod Security level where that is safe, and pins image tags to digests when a resolver
// is configured. Never changes a value the user set explicitly.
import { isRecord, objectFromData } from "../core/object.js";
import { containersOf, podOf } from "../core/podspec.js";
import { parseDockerRef } from "../images/ref.js";
import type { MutationConfig } from "./config.js";
import { globMatch } from "./rules/images.js";
import { withTimeout } from "./timebox.js";

export interface PatchOp {
  op: "add" | "replace";
  path: string;
  value: unknown;
}

export interface MutationOptions {
  /** Resolves an image reference to its digest ("sha256:..."); undefined when unknown. */
  resolveDigest?: (image: string, opts: { signal: AbortSignal }) => Promise<string | undefined>;
  /** The user an image runs as (from its config), when known: "1000", "app", "0"... */
  imageUser?: (image: string) => Promise<string | undefined>;
  /** Time allowed for each resolution (default 2000 ms). */
  timeoutMs?: number;
}

const pointer = (path: ReadonlyArray<string | number>) =>
  `/${path.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

type Obj = Record<string, unknown>;

/** Applies an add/replace op to the working copy, so later ops see earlier ones. */
function applyOp(root: Obj, path: ReadonlyArray<string | number>, value: unknown): void {
  let cur: unknown = root;
  for (let i = 0; i < path.length - 1; i++) cur = (cur as Record<string | number, unknown>)[path[i]!];
  const last = path[path.length - 1]!;
  if (Array.isArray(cur) && last === "-") cur.push(value);
  else (cur as Record<string | number, unknown>)[last] = value;
}

/** Adds `value` at `rel` under `basePath` of the working copy, creating missing parents in one op. */
function setMissing(
  ops: PatchOp[],
  root: Obj,
  basePath: ReadonlyArray<string | number>,
  rel: string[],
  value: unknown,
): void {
  let cur: unknown = root;
  for (const p of basePath) cur = (cur as Record<string | number, unknown>)[p];
  const path: Array<string | number> = [...basePath];
  for (let i = 0; i < rel.length; i++) {
    const key = rel[i]!;
    const node = cur as Obj;
    const last = i === rel.length - 1;
    if (last || !isRecord(node[key])) {
      let v: unknown = value;
      for (let j = rel.length - 1; j > i; j--) v = { [rel[j]!]: v };
      const op: PatchOp = {
        op: node[key] === undefined ? "add" : "replace",
        path: pointer([...path, key]),
        value: v,
      };
      ops.push(op);
      applyOp(root, [...path, key], structuredClone(v));
      return;
    }
    path.push(key);
    cur = node[key];
  }
}

function pushOp(
  ops: PatchOp[],
  root: Obj,
  path: Array<string | number>,
  op: PatchOp["op"],
  value: unknown,
): void {
  ops.push({ op, path: pointer(path), value });
  applyOp(root, path, value);
}

function numericUser(u: string | undefined): number | undefined {
  if (u === undefined) return undefined;
  const uid = u.split(":")[0]!;
  return /^\d+$/.test(uid) ? Number(uid) : undefined;
}

/** A resolver call in the time box; undefined when it did not finish in time. */
async function timed<T>(run: (s: AbortSignal) => Promise<T>, ms: number): Promise<T | undefined> {
  // Wrapped so that a resolver result cannot be mistaken for withTimeout's "timeout".
  const r = await withTimeout((s) => run(s).then((value) => ({ value })), ms);
  return r === "timeout" ? undefined : r.value;
}

/** The patch for one object; warnings say what could not be done safely. Pure apart from the resolvers. */
export async function mutationPatch(
  object: Obj,
  config: MutationConfig,
  opts: MutationOptions,
): Promise<{ patch: PatchOp[]; warnings: string[]; errors: string[] }> {
  const ops: PatchOp[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  object = structuredClone(object); // the working copy the ops are applied to
  const pod = podOf(objectFromData(object));
  if (!pod) return { patch: ops, warnings, errors };
  const spec = pod.spec;
  const specPath = pod.specPath;
  const podSc = isRecord(spec.securityContext) ? spec.securityContext : undefined;
  const containers = containersOf(pod).filter((c) => c.type !== "ephemeralContainers");
  const timeoutMs = opts.timeoutMs ?? 2000;

  if (config.seccompProfile) {
    const podType = isRecord(podSc?.seccompProfile) ? podSc.seccompProfile.type : undefined;
    if (podType === undefined)
      setMissing(ops, object, specPath, ["securityContext", "seccompProfile"], { type: "RuntimeDefault" });
  }
  const podRunAsUser = typeof podSc?.runAsUser === "number" ? podSc.runAsUser : undefined;
  const podNonRoot = podSc?.runAsNonRoot;
  for (const c of containers) {
    const sc = isRecord(c.container.securityContext) ? c.container.securityContext : undefined;
    const caps = isRecord(sc?.capabilities) ? sc.capabilities : undefined;
    const adds = Array.isArray(caps?.add) ? caps.add : [];
    const privileged =
      sc?.privileged === true || adds.includes("SYS_ADMIN") || adds.includes("CAP_SYS_ADMIN");
    const secPath = [...c.path];
    if (config.allowPrivilegeEscalation && sc?.allowPrivilegeEscalation === undefined) {
      if (privileged)
        warnings.push(`container "${c.name}" is privileged; allowPrivilegeEscalation left unset`);
      else setMissing(ops, object, secPath, ["securityContext", "allowPrivilegeEscalation"], false);
    }
    if (config.dropAllCapabilities) {
      const drop = Array.isArray(caps?.drop) ? caps.drop : undefined;
      if (!drop) setMissing(ops, object, secPath, ["securityContext", "capabilities", "drop"], ["ALL"]);
      else if (!drop.includes("ALL"))
        pushOp(ops, object, [...secPath, "securityContext", "capabilities", "drop", "-"], "add", "ALL");
    }
    // runAsNonRoot only where the container is known to run as a non-zero UID.
    if (sc?.runAsNonRoot === undefined && podNonRoot === undefined) {
      const image = typeof c.container.image === "string" ? c.container.image : "";
      const runAsUser = typeof sc?.runAsUser === "number" ? sc.runAsUser : podRunAsUser;
      let nonRoot = runAsUser !== undefined ? runAsUser !== 0 : undefined;
      if (nonRoot === undefined && image) {
        try {
          const ref = parseDockerRef(image);
          if (config.nonRootImages.some((p) => globMatch(p, `${ref.registry}/${ref.repository}`)))
            nonRoot = true;
        } catch {
          // not a valid reference: nothing known about its user
        }
        if (nonRoot === undefined && opts.imageUser) {
          try {
            const uid = numericUser(await timed(() => opts.imageUser!(image), timeoutMs));
            if (uid !== undefined) nonRoot = uid !== 0;
          } catch (err) {
            errors.push(`image user of ${image}: ${(err as Error).message}`);
          }
        }
      }
      if (nonRoot === true) setMissing(ops, object, secPath, ["securityContext", "runAsNonRoot"], true);
      else warnings.push(`container "${c.name}": image user unknown; runAsNonRoot left unset`);
    }
    if (config.pinDigests && opts.resolveDigest) {
      const image = c.container.image;
      if (typeof image === "string" && !image.includes("@")) {
        try {
          const digest = await timed((signal) => opts.resolveDigest!(image, { signal }), timeoutMs);
          if (digest) pushOp(ops, object, [...c.path, "image"], "replace", `${image}@${digest}`);
          else warnings.push(`container "${c.name}": digest of ${image} unknown; tag left unpinned`);
        } catch (err) {
          errors.push(`digest of ${image}: ${(err as Error).message}`);
          warnings.push(`container "${c.name}": could not resolve ${image}; tag left unpinned`);
        }
      }
    }
  }
  return { patch: ops, warnings, errors };
}
