import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { grantedVerbs, namesNote, ROLE_KINDS, rulesOf, scopeOf } from "./lib/rbac.js";

/**
 * Subresources that give a way into a running pod, with the verbs that use them. Adding an
 * ephemeral container (kubectl debug) is an update of pods/ephemeralcontainers.
 */
const SUBRESOURCES: ReadonlyArray<{ sub: string; verbs: string[] }> = [
  { sub: "pods/exec", verbs: ["create", "get"] },
  { sub: "pods/attach", verbs: ["create", "get"] },
  { sub: "pods/portforward", verbs: ["create", "get"] },
  { sub: "pods/ephemeralcontainers", verbs: ["update", "patch"] },
];

/**
 * KW-RBAC-004: create (or get) on pods/exec, pods/attach, pods/portforward, and update/patch on
 * pods/ephemeralcontainers (kubectl debug into a running pod). kubectl uses create;
 * WebSocket clients connect with GET, which older API servers (and those with the
 * AuthorizePodWebsocketUpgradeCreatePermission gate off) authorize with get alone, so both count.
 */
export const rbacPodExec: ObjectCheck = {
  id: "KW-RBAC-004",
  title: "Role can exec, attach, debug or port-forward into Pods",
  severity: "high",
  layer: "rbac",
  description:
    "pods/exec and pods/attach run commands in, or attach to, a container: the holder gets the container's " +
    "files, secrets and service account token; adding an ephemeral container (pods/ephemeralcontainers) does " +
    "the same with an image of the holder's choice. pods/portforward reaches ports that no Service exposes.",
  remediation:
    "Remove pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers from standing roles; grant them just in time to the " +
    "people who debug, and audit their use.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks",
    "https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb",
  ],
  frameworks: { cis: [], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const grants = SUBRESOURCES.flatMap(({ sub, verbs: candidates }) => {
        const verbs = grantedVerbs(rule, "", sub, candidates);
        return verbs.length > 0 ? [`${sub} (${verbs.join(", ")})`] : [];
      });
      if (grants.length === 0) continue;
      out.push({
        message: `${obj.kind} rule ${rule.index} grants ${grants.join(", ")} ${scopeOf(obj)}${namesNote(rule)}`,
        path: rule.path,
      });
    }
    return out;
  },
};
