import type { Violation } from "../../../core/check.js";
import type { FieldPath } from "../../../core/model.js";
import { getIn, isRecord, type K8sObject } from "../../../core/object.js";
import { containersOf, podOf } from "../../../core/podspec.js";

/** Namespace an object lands in; manifests without one go to "default" unless applied with -n. */
export function namespaceOf(obj: K8sObject): string {
  const ns = obj.metadata.namespace;
  return typeof ns === "string" && ns !== "" ? ns : "default";
}

/** Display name "Kind/name" for messages. */
export function displayName(obj: K8sObject): string {
  const name =
    typeof obj.metadata.name === "string" && obj.metadata.name !== "" ? obj.metadata.name : "<unnamed>";
  return `${obj.kind}/${name}`;
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Array elements that are strings; anything else in a malformed manifest is ignored. */
export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Array elements that are objects, each with its index in the original array. */
export function recordList(v: unknown): Array<{ item: Record<string, unknown>; index: number }> {
  if (!Array.isArray(v)) return [];
  const out: Array<{ item: Record<string, unknown>; index: number }> = [];
  v.forEach((item, index) => {
    if (isRecord(item)) out.push({ item, index });
  });
  return out;
}

/** The longest prefix of `path` that exists in `raw`: the line to point at when a field is missing. */
export function deepestExisting(raw: unknown, path: FieldPath): FieldPath {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    if (getIn(raw, prefix) !== undefined) return prefix;
  }
  return [];
}

/** Objects that Kubernetes itself creates and reconciles (label set by the RBAC bootstrapper). */
export function isBootstrapDefault(obj: K8sObject): boolean {
  return obj.metadata.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults";
}

export function quoteList(items: readonly string[]): string {
  return items.map((s) => JSON.stringify(s)).join(", ");
}

/** One violation per app container (not init or ephemeral) that does not set `field` (a probe). */
export function appContainersWithout(obj: K8sObject, field: "livenessProbe" | "readinessProbe"): Violation[] {
  const pod = podOf(obj);
  if (!pod) return [];
  const out: Violation[] = [];
  for (const c of containersOf(pod)) {
    if (c.type !== "containers" || c.container[field] != null) continue;
    out.push({ message: `container "${c.name}" has no ${field}`, path: c.path, container: c.name });
  }
  return out;
}
