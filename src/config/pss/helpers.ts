// Shared readers for the checks. The engine reads plain JSON (YAML parsed as is), so each
// reader accepts only the type the Kubernetes API would decode; anything else counts as unset.
import type { PssFailure, PssPod, PssViolation } from "./types.js";

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The three container lists, in upstream's visiting order. */
export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/** Called per container with its list field and index (its spec-relative path is [list, index]). */
export type ContainerVisitor = (c: Obj, name: string, list: string, index: number) => void;

/** Visits every init, regular and ephemeral container. Allocates nothing per container. */
export function visitContainers(spec: Obj, visit: ContainerVisitor): void {
  for (let t = 0; t < 3; t++) {
    const field = CONTAINER_LISTS[t]!;
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const c = rec(list[i]);
      if (!c) continue;
      visit(c, containerName(c, field, i), field, i);
    }
  }
}

export function containerName(c: Obj, field: string, i: number): string {
  return typeof c.name === "string" ? c.name : `${field}[${i}]`;
}

/** A container's securityContext, or undefined. */
export function sc(c: Obj): Obj | undefined {
  return rec(c.securityContext);
}

export function podSc(spec: Obj): Obj | undefined {
  return rec(spec.securityContext);
}

/** spec.os.name == "windows": some restricted checks exempt such pods from policy v1.25 on. */
export function isWindowsPod(spec: Obj): boolean {
  return rec(spec.os)?.name === "windows";
}

/** spec.hostUsers == false (a user-namespace pod): relaxes some checks from policy v1.35 on. */
export function isUserNamespacePod(spec: Obj): boolean {
  return spec.hostUsers === false;
}

export function quote(items: readonly string[]): string {
  return items.map((s) => JSON.stringify(s)).join(", ");
}

export function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** "container "a"" / "containers "a", "b"". */
export function containersPhrase(names: readonly string[]): string {
  return `${plural(names.length, "container", "containers")} ${quote(names)}`;
}

/** Sorted distinct values. */
export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Names of the containers that the violations mention, distinct, in order. */
export function namesOf(violations: readonly PssViolation[]): string[] {
  const out: string[] = [];
  for (const v of violations)
    if (v.container !== undefined && !out.includes(v.container)) out.push(v.container);
  return out;
}

/** The pod-level setter ("pod") and the container setters joined the way upstream words it. */
export function settersPhrase(pod: boolean, containers: readonly string[]): string {
  const parts: string[] = [];
  if (pod) parts.push("pod");
  if (containers.length > 0) parts.push(containersPhrase(containers));
  return parts.join(" and ");
}

/** Appends to a lazily allocated list (the pass path allocates nothing). */
export function push<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** The seccomp profile types both levels allow. */
export function validSeccompType(t: unknown): boolean {
  return t === "RuntimeDefault" || t === "Localhost";
}

/**
 * The securityContext.seccompProfile rule from policy v1.19, shared by both seccomp checks: no pod or
 * container may set a type other than RuntimeDefault or Localhost. With `requireProfile` (restricted)
 * every container must also set one unless the pod sets a valid one.
 */
export function seccompProfileFields(pod: PssPod, requireProfile: boolean): PssFailure | null {
  let out: PssViolation[] | undefined;
  let values: string[] | undefined;
  const profile = rec(podSc(pod.spec)?.seccompProfile);
  const podBad = profile !== undefined && !validSeccompType(profile.type);
  const podSet = profile !== undefined && !podBad;
  if (podBad) {
    const t = str(profile.type);
    values = push(values, t);
    out = [
      {
        message: `pod sets securityContext.seccompProfile.type=${JSON.stringify(t)}`,
        path: ["securityContext", "seccompProfile", "type"],
      },
    ];
  }
  let explicit: string[] | undefined;
  let implicit: string[] | undefined;
  visitContainers(pod.spec, (c, name, list, ci) => {
    const ctx = sc(c);
    const p = rec(ctx?.seccompProfile);
    if (p) {
      if (validSeccompType(p.type)) return;
      const t = str(p.type);
      values = push(values, t);
      explicit = push(explicit, name);
      out = push(out, {
        message: `container ${JSON.stringify(name)} sets securityContext.seccompProfile.type=${JSON.stringify(t)}`,
        path: [list, ci, "securityContext", "seccompProfile", "type"],
        container: name,
      });
      return;
    }
    if (!requireProfile || podSet) return;
    implicit = push(implicit, name);
    out = push(out, {
      message: `container ${JSON.stringify(name)} does not set securityContext.seccompProfile.type (nor does the pod)`,
      path: ctx ? [list, ci, "securityContext"] : [list, ci],
      container: name,
    });
  });
  if (!out) return null;
  values ??= [];
  explicit ??= [];
  implicit ??= [];
  const detail =
    podBad || explicit.length > 0
      ? `${settersPhrase(podBad, explicit)} must not set securityContext.seccompProfile.type to ${quote(distinct(values))}`
      : `pod or ${settersPhrase(false, implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`;
  return { reason: "seccompProfile", detail, violations: out };
}
