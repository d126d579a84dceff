// Baseline: seccomp may not be disabled.
// v1.0-v1.18 read the alpha annotations: seccomp.security.alpha.kubernetes.io/pod and
//   container.seccomp.security.alpha.kubernetes.io/<container> must be runtime/default,
//   docker/default or localhost/* when present.
// v1.19+ read the fields: securityContext.seccompProfile.type (pod and containers) must be
//   RuntimeDefault or Localhost when set.
// Under restricted, seccompProfile_restricted replaces this check from v1.19.
import { distinct, push, rec, seccompProfileFields, str, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

export const POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
export const CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

function validAnnotation(v: string): boolean {
  return v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
}

function check1Dot0(pod: PssPod): PssFailure | null {
  const annotations = rec(pod.metadata.annotations);
  if (!annotations) return null;
  let out: PssViolation[] | undefined;
  let bad: string[] | undefined;
  const flag = (key: string, container?: string) => {
    const v = annotations[key];
    if (typeof v !== "string" || validAnnotation(v)) return;
    bad = push(bad, `${key}=${JSON.stringify(v)}`);
    out = push(out, {
      message: `annotation ${key}=${JSON.stringify(v)} disables or overrides seccomp`,
      path: ["metadata", "annotations", key],
      inMetadata: true,
      ...(container !== undefined ? { container } : {}),
    });
  };
  flag(POD_ANNOTATION);
  // Upstream looks the annotation up by the container's name as given (empty when unnamed).
  visitContainers(pod.spec, (c, name) => flag(CONTAINER_ANNOTATION_PREFIX + str(c.name), name));
  if (!out) return null;
  bad ??= [];
  const uniq = distinct(bad);
  return {
    reason: "seccompProfile",
    detail: `forbidden ${uniq.length === 1 ? "annotation" : "annotations"} ${uniq.join(", ")}`,
    violations: out,
  };
}

function check1Dot19(pod: PssPod): PssFailure | null {
  return seccompProfileFields(pod, false);
}

export const seccompProfileBaseline: PssCheckDef = {
  id: "seccompProfile_baseline",
  level: "baseline",
  versions: [
    { since: 0, check: check1Dot0 },
    { since: 19, check: check1Dot19 },
  ],
  scanner: {
    id: "KW-POD-016",
    title: "Seccomp disabled",
    severity: "high",
    description:
      "A seccomp profile of Unconfined (or the unconfined alpha annotation before policy v1.19) lets the " +
      "container call every system call of the node's kernel. Baseline allows only RuntimeDefault or Localhost.",
    remediation:
      "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) instead of Unconfined.",
    cis: ["5.7.2"],
    nsa: ["pod-security", "container-hardening"],
  },
};
