// Audits that read the API server's own policy files: encryption at rest and the audit policy.
import type { AuditPolicyRequirement } from "./benchmark.js";
import { parseHostYaml } from "./detect.js";
import { lastValue } from "./flags.js";
import type { HostReader } from "./reader.js";
import type { NodeFacts, Verdict } from "./types.js";

function readYaml(reader: HostReader, path: string): { data?: unknown; error?: string } {
  const text = reader.readFile(path);
  if (text === undefined) return { error: `cannot read ${path}` };
  try {
    return { data: parseHostYaml(text) };
  } catch (e) {
    return { error: `${path} is not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}` };
  }
}

export function encryptionAudit(allowed: readonly string[], facts: NodeFacts, reader: HostReader): Verdict {
  const api = facts.components["kube-apiserver"];
  if (!api) return { ok: "skip", message: "kube-apiserver does not run on this node" };
  const path = lastValue(api.flags, "--encryption-provider-config");
  const base = {
    component: "kube-apiserver",
    kind: "config" as const,
    key: "--encryption-provider-config",
    expected: `first provider one of ${allowed.join(", ")}`,
  };
  if (!path)
    return {
      ok: false,
      message: "kube-apiserver has no --encryption-provider-config: secrets are stored unencrypted in etcd",
      evidence: { ...base, kind: "flag", path: api.where, actual: null },
      path: api.editAt,
    };
  const { data, error } = readYaml(reader, path);
  if (error) return { ok: false, message: error, evidence: { ...base, path, actual: null }, path };
  const resources = (data as { resources?: unknown })?.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    return {
      ok: false,
      message: `${path} lists no resources`,
      evidence: { ...base, path, actual: null },
      path,
    };
  }
  const firsts: string[] = [];
  for (const r of resources) {
    const providers = (r as { providers?: unknown })?.providers;
    const first =
      Array.isArray(providers) && providers[0] && typeof providers[0] === "object"
        ? Object.keys(providers[0])[0]
        : undefined;
    firsts.push(first ?? "none");
  }
  const bad = firsts.filter((f) => !allowed.includes(f));
  return {
    ok: bad.length === 0,
    message:
      bad.length === 0
        ? `${path}: resources are encrypted first with ${[...new Set(firsts)].join(", ")}`
        : `${path}: first provider ${bad.join(", ")} is not one of ${allowed.join(", ")}`,
    evidence: { ...base, path, actual: firsts.join(",") },
    path,
  };
}

const LEVELS = ["None", "Metadata", "Request", "RequestResponse"];

interface PolicyRule {
  level?: string;
  users?: unknown[];
  userGroups?: unknown[];
  verbs?: string[];
  resources?: Array<{ group?: string; resources?: string[]; resourceNames?: string[] }>;
  namespaces?: string[];
  nonResourceURLs?: string[];
}

/** The level the first matching rule gives (audit policy semantics: first match wins; no match = None). */
export function policyLevel(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
): string {
  const [res, sub] = resource.split("/");
  for (const rule of rules) {
    // Rules limited to some users, groups, namespaces or URLs do not cover every request.
    if (
      (rule.users?.length ?? 0) > 0 ||
      (rule.userGroups?.length ?? 0) > 0 ||
      (rule.namespaces?.length ?? 0) > 0
    )
      continue;
    if ((rule.nonResourceURLs?.length ?? 0) > 0) continue;
    if (rule.verbs && rule.verbs.length > 0 && !rule.verbs.includes(verb) && !rule.verbs.includes("*"))
      continue;
    if (rule.resources && rule.resources.length > 0) {
      const hit = rule.resources.some((gr) => {
        if ((gr.group ?? "") !== group) return false;
        if ((gr.resourceNames?.length ?? 0) > 0) return false;
        const list = gr.resources ?? [];
        if (list.length === 0) return true;
        return list.some(
          (x) =>
            x === "*" ||
            x === resource ||
            (sub !== undefined && x === `*/${sub}`) ||
            (x.endsWith("/*") && x.slice(0, -2) === res),
        );
      });
      if (!hit) continue;
    }
    return rule.level ?? "None";
  }
  return "None";
}

export function auditPolicyAudit(
  reqs: readonly AuditPolicyRequirement[],
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const api = facts.components["kube-apiserver"];
  if (!api) return { ok: "skip", message: "kube-apiserver does not run on this node" };
  const path = lastValue(api.flags, "--audit-policy-file");
  const base = {
    component: "kube-apiserver",
    kind: "config" as const,
    key: "--audit-policy-file",
    expected: "a policy covering the key resources",
  };
  if (!path)
    return {
      ok: false,
      message: "kube-apiserver has no --audit-policy-file: nothing is audited",
      evidence: { ...base, kind: "flag", path: api.where, actual: null },
      path: api.editAt,
    };
  const { data, error } = readYaml(reader, path);
  if (error) return { ok: false, message: error, evidence: { ...base, path, actual: null }, path };
  const rules = (data as { rules?: unknown })?.rules;
  if (!Array.isArray(rules))
    return { ok: false, message: `${path} has no rules`, evidence: { ...base, path, actual: null }, path };
  const gaps: string[] = [];
  for (const req of reqs) {
    const verbs = req.verbs ?? ["get", "list", "create", "update", "patch", "delete"];
    for (const resource of req.resources) {
      for (const verb of verbs) {
        const lvl = policyLevel(rules as PolicyRule[], req.group ?? "", resource, verb);
        const i = LEVELS.indexOf(lvl);
        if (i < LEVELS.indexOf(req.minLevel) || (req.maxLevel && i > LEVELS.indexOf(req.maxLevel))) {
          gaps.push(`${verb} ${resource} logged at ${lvl} (${req.description})`);
          break;
        }
      }
    }
  }
  return {
    ok: gaps.length === 0,
    message: gaps.length === 0 ? `${path} covers every key resource` : `${path}: ${gaps.join("; ")}`,
    evidence: { ...base, path, actual: gaps.length === 0 ? "covered" : gaps[0] },
    path,
  };
}
