import type { FieldPath } from "../../../core/model.js";
import type { K8sObject } from "../../../core/object.js";
import { recordList, stringList } from "./k8s.js";

/** One PolicyRule of a Role or ClusterRole, with its path for findings. */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
  index: number;
  path: FieldPath;
}

/** A request the API server would authorize: verb on apiGroup/resource[/subresource]. */
export interface Access {
  verb: string;
  apiGroup: string;
  /** "pods" or "pods/exec". */
  resource: string;
  /**
   * Whether the request carries no object name. Defaults to Kubernetes' rule: create on a resource
   * (not a subresource) and deletecollection are unnamed, so resourceNames can never grant them.
   */
  unnamed?: boolean;
}

export const ROLE_KINDS = ["Role", "ClusterRole"] as const;
export const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"] as const;
export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** RBAC API objects (any version); a custom resource that happens to be called "Role" is not one. */
export function isRbacObject(obj: K8sObject): boolean {
  return obj.apiVersion.startsWith(`${RBAC_GROUP}/`);
}

export function rulesOf(obj: K8sObject): Rule[] {
  if (!isRbacObject(obj)) return [];
  return recordList(obj.raw.rules).map(({ item, index }) => ({
    apiGroups: stringList(item.apiGroups),
    resources: stringList(item.resources),
    verbs: stringList(item.verbs),
    resourceNames: stringList(item.resourceNames),
    nonResourceURLs: stringList(item.nonResourceURLs),
    index,
    path: ["rules", index],
  }));
}

/** Same semantics as the RBAC authorizer: "*" matches any verb. */
export function verbMatches(rule: Rule, verb: string): boolean {
  return rule.verbs.includes("*") || rule.verbs.includes(verb);
}

/** "*" matches any group; the core group is the empty string "". */
export function groupMatches(rule: Rule, group: string): boolean {
  return rule.apiGroups.includes("*") || rule.apiGroups.includes(group);
}

/**
 * "*" matches every resource and subresource; "pods" does NOT cover "pods/exec";
 * "*\/exec" covers the exec subresource of every resource.
 */
export function resourceMatches(rule: Rule, resource: string): boolean {
  const slash = resource.indexOf("/");
  const sub = slash >= 0 ? resource.slice(slash + 1) : "";
  for (const r of rule.resources) {
    if (r === "*" || r === resource) return true;
    if (sub !== "" && r === `*/${sub}`) return true;
  }
  return false;
}

/**
 * Whether the rule authorizes the access (for some object name). A rule with resourceNames cannot
 * authorize a request without a name; for named requests it narrows but still grants.
 */
export function ruleGrants(rule: Rule, a: Access): boolean {
  if (!verbMatches(rule, a.verb) || !groupMatches(rule, a.apiGroup) || !resourceMatches(rule, a.resource)) {
    return false;
  }
  const unnamed =
    a.unnamed ?? ((a.verb === "create" && !a.resource.includes("/")) || a.verb === "deletecollection");
  return !(unnamed && rule.resourceNames.length > 0);
}

/** The verbs among `verbs` this rule grants on apiGroup/resource. */
export function grantedVerbs(
  rule: Rule,
  apiGroup: string,
  resource: string,
  verbs: readonly string[],
): string[] {
  return verbs.filter((verb) => ruleGrants(rule, { verb, apiGroup, resource }));
}

/** Scope phrase for messages: where the granted rights apply. */
export function scopeOf(obj: K8sObject): string {
  if (obj.kind === "ClusterRole") return "cluster-wide when bound by a ClusterRoleBinding";
  const ns = obj.metadata.namespace;
  return `in namespace ${JSON.stringify(typeof ns === "string" && ns !== "" ? ns : "default")}`;
}

/** Suffix for messages when resourceNames narrows the rule. */
export function namesNote(rule: Rule): string {
  return rule.resourceNames.length > 0 ? ` (limited to resourceNames ${rule.resourceNames.join(", ")})` : "";
}

/** One subject of a RoleBinding or ClusterRoleBinding. */
export interface Subject {
  kind: string;
  name: string;
  /** For ServiceAccount subjects: the namespace, defaulted to the RoleBinding's own. */
  namespace?: string;
  index: number;
  path: FieldPath;
}

export function subjectsOf(obj: K8sObject): Subject[] {
  if (!isRbacObject(obj)) return [];
  const bindingNs = obj.kind === "RoleBinding" ? (obj.metadata.namespace ?? "default") : undefined;
  return recordList(obj.raw.subjects).map(({ item, index }) => {
    const s: Subject = {
      kind: typeof item.kind === "string" ? item.kind : "",
      name: typeof item.name === "string" ? item.name : "",
      index,
      path: ["subjects", index],
    };
    const ns = typeof item.namespace === "string" && item.namespace !== "" ? item.namespace : bindingNs;
    if (s.kind === "ServiceAccount" && ns !== undefined) s.namespace = ns;
    return s;
  });
}

export function roleRefOf(obj: K8sObject): { kind: string; name: string } | undefined {
  if (!isRbacObject(obj)) return undefined;
  const ref = obj.raw.roleRef;
  if (typeof ref !== "object" || ref === null || Array.isArray(ref)) return undefined;
  const { kind, name } = ref as Record<string, unknown>;
  if (typeof kind !== "string" || typeof name !== "string") return undefined;
  return { kind, name };
}
