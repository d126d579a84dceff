// Baseline: AppArmor may not be disabled or set to an arbitrary profile.
// Reads both channels upstream reads at every policy version: the securityContext.appArmorProfile
// fields (pod and containers: type RuntimeDefault or Localhost) and the deprecated beta annotations
// container.apparmor.security.beta.kubernetes.io/<container> (empty, runtime/default or localhost/*).
import {
  distinct,
  type Obj,
  podSc,
  push,
  quote,
  rec,
  sc,
  settersPhrase,
  str,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function allowedType(t: string): boolean {
  return t === "RuntimeDefault" || t === "Localhost";
}

function allowedAnnotation(v: string): boolean {
  return v === "" || v === "runtime/default" || v.startsWith("localhost/");
}

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let podBad = false;
  let badContainers: string[] | undefined;
  let badTypes: string[] | undefined;
  const profile = rec(podSc(pod.spec)?.appArmorProfile);
  if (profile && !allowedType(str(profile.type))) {
    const t = str(profile.type);
    podBad = true;
    badTypes = push(badTypes, t);
    out = [
      {
        message: `pod sets securityContext.appArmorProfile.type=${JSON.stringify(t)}`,
        path: ["securityContext", "appArmorProfile", "type"],
      },
    ];
  }
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const p = rec(sc(c)?.appArmorProfile);
    if (!p || allowedType(str(p.type))) return;
    const t = str(p.type);
    badContainers = push(badContainers, name);
    badTypes = push(badTypes, t);
    out = push(out, {
      message: `container ${JSON.stringify(name)} sets securityContext.appArmorProfile.type=${JSON.stringify(t)}`,
      path: [list, ci, "securityContext", "appArmorProfile", "type"],
      container: name,
    });
  });
  const annotations = rec(pod.metadata.annotations);
  let badAnnotations: string[] | undefined;
  if (annotations) {
    for (const key in annotations) {
      if (!key.startsWith(ANNOTATION_PREFIX)) continue;
      const value = annotations[key];
      if (typeof value !== "string" || allowedAnnotation(value)) continue;
      badAnnotations = push(badAnnotations, `${key}=${JSON.stringify(value)}`);
      out = push(out, {
        message: `annotation ${key}=${JSON.stringify(value)} sets a forbidden AppArmor profile`,
        path: ["metadata", "annotations", key],
        inMetadata: true,
        container: key.slice(ANNOTATION_PREFIX.length),
      });
    }
  }
  if (!out) return null;
  badContainers ??= [];
  badTypes ??= [];
  badAnnotations ??= [];
  const parts: string[] = [];
  if (podBad || badContainers.length > 0) {
    parts.push(
      `${settersPhrase(podBad, badContainers)} must not set AppArmor profile type to ${quote(distinct(badTypes))}`,
    );
  }
  if (badAnnotations.length > 0) parts.push(`forbidden annotations ${badAnnotations.sort().join(", ")}`);
  const n = badTypes.length + badAnnotations.length;
  return {
    reason: n === 1 ? "forbidden AppArmor profile" : "forbidden AppArmor profiles",
    detail: parts.join("; "),
    violations: out,
  };
}

export const appArmorProfile: PssCheckDef = {
  id: "appArmorProfile",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-002",
    title: "AppArmor profile disabled or overridden",
    severity: "high",
    description:
      "The runtime's default AppArmor profile confines the container. Setting the profile to Unconfined (field) " +
      "or unconfined (beta annotation) removes that confinement; the baseline standard allows only the runtime " +
      "default or a profile loaded on the node.",
    remediation:
      "Remove the Unconfined AppArmor profile; use securityContext.appArmorProfile.type RuntimeDefault or Localhost.",
    cis: ["5.7.3"],
    nsa: ["pod-security", "container-hardening"],
  },
};
