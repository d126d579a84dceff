// The AdmissionConfig file (apiVersion kubeward.io/v1alpha1, kind AdmissionConfig): parsed and
// validated into a typed config. Every problem is collected and reported together, each naming the
// file and the field, under the stable code "config-invalid".
import { promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { parsePssVersion } from "../config/pss/index.js";
import type { SignaturePolicy } from "../core/image-gates.js";
import type { Severity } from "../core/model.js";
import { isRecord } from "../core/object.js";
import { parseRules, unknownKeys } from "./config-rules.js";
import { AdmissionError } from "./errors.js";
import { Problems, strings } from "./problems.js";

export const CONFIG_API_VERSION = "kubeward.io/v1alpha1";
export const CONFIG_KIND = "AdmissionConfig";

export type Mode = "enforce" | "warn" | "audit";
export const MODES: readonly Mode[] = ["enforce", "warn", "audit"];
export type PsaLevel = "privileged" | "baseline" | "restricted";

export interface LevelVersion {
  level: PsaLevel;
  version: string;
}

export interface PsaPolicy {
  enforce: LevelVersion;
  warn: LevelVersion;
  audit: LevelVersion;
}

export interface Exemptions {
  namespaces: string[];
  usernames: string[];
  runtimeClasses: string[];
}

/** What every kubeward rule shares: its mode and the namespaces it applies to. */
export interface RuleScope {
  mode: Mode;
  /** A metav1.LabelSelector over the namespace's labels; absent means every namespace. */
  namespaceSelector?: Record<string, unknown>;
}

export interface ChecksRule extends RuleScope {
  ids: string[];
}

export interface ImageRule extends RuleScope {
  /** Registry hosts (docker.io for Docker Hub), exact. */
  allowedRegistries?: string[];
  /** Globs over "registry/repository", e.g. "ghcr.io/acme/**". */
  allowedRepositories?: string[];
  requireDigest?: boolean;
  forbidLatest?: boolean;
}

export const RESOURCE_FIELDS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;
export type ResourceField = (typeof RESOURCE_FIELDS)[number];

export interface ResourceRule extends RuleScope {
  require: ResourceField[];
  /** Maximum per container, as quantities; the parsed value rides along. */
  max: Partial<Record<ResourceField, { text: string; value: number }>>;
}

export interface SignatureRule extends RuleScope {
  /** Globs over "registry/repository" of the images this rule covers. */
  images: string[];
  policy: SignaturePolicy;
}

export interface VulnerabilityRule extends RuleScope {
  images: string[];
  /** Deny when a finding is at or above this severity. */
  severity?: Severity;
  /** Deny when there are more than this many findings. */
  maxFindings?: number;
  timeoutMs: number;
  /** What applies when the scan does not finish in time (a warning says so either way). */
  onTimeout: "allow" | "deny";
}

export interface MutationConfig {
  enabled: boolean;
  seccompProfile: boolean;
  allowPrivilegeEscalation: boolean;
  dropAllCapabilities: boolean;
  /** Globs over "registry/repository" of images known to run as a non-root user. */
  nonRootImages: string[];
  pinDigests: boolean;
}

export interface AdmissionConfig {
  file: string;
  podSecurity: { defaults: PsaPolicy; exemptions: Exemptions };
  namespaces: Record<string, { labels: Record<string, string> }>;
  /** Namespaces and users the kubeward rules (not Pod Security) leave alone. */
  exemptions: Exemptions;
  checks: ChecksRule[];
  images: ImageRule[];
  resources: ResourceRule[];
  signatures: SignatureRule[];
  vulnerabilities: VulnerabilityRule[];
  policies: { files: string[]; params: string[]; validationActions?: string[] };
  mutation: MutationConfig;
}

const TOP_KEYS = [
  "apiVersion",
  "kind",
  "podSecurity",
  "namespaces",
  "exemptions",
  "checks",
  "images",
  "resources",
  "signatures",
  "vulnerabilities",
  "policies",
  "mutation",
];

function parseLevel(v: unknown, path: string, p: Problems, fallback: PsaLevel): PsaLevel {
  if (v === undefined) return fallback;
  if (v === "privileged" || v === "baseline" || v === "restricted") return v;
  p.add(path, `must be privileged, baseline or restricted, got ${JSON.stringify(v)}`);
  return fallback;
}

function parseVersion(v: unknown, path: string, p: Problems): string {
  if (v === undefined) return "latest";
  if (typeof v !== "string") {
    p.add(path, "must be a string (latest or v1.<minor>)");
    return "latest";
  }
  try {
    parsePssVersion(v);
  } catch (err) {
    p.add(path, (err as Error).message);
    return "latest";
  }
  return v;
}

function parseExemptions(v: unknown, path: string, p: Problems): Exemptions {
  if (v === undefined || v === null) return { namespaces: [], usernames: [], runtimeClasses: [] };
  if (!isRecord(v)) {
    p.add(path, "must be a mapping of namespaces, usernames, runtimeClasses");
    return { namespaces: [], usernames: [], runtimeClasses: [] };
  }
  unknownKeys(v, ["namespaces", "usernames", "runtimeClasses"], path, p);
  return {
    namespaces: strings(v.namespaces, `${path}.namespaces`, p),
    usernames: strings(v.usernames, `${path}.usernames`, p),
    runtimeClasses: strings(v.runtimeClasses, `${path}.runtimeClasses`, p),
  };
}

/** Parses and validates config text. `file` names it in messages and anchors relative paths. */
export function parseAdmissionConfig(text: string, file: string): AdmissionConfig {
  const p = new Problems();
  const docs = parseAllDocuments(text);
  const list0 = Array.isArray(docs) ? docs : [docs];
  const real = list0.filter((d) => d.contents !== null);
  if (real.length !== 1) {
    throw new AdmissionError(
      "config-invalid",
      `${file}: expected exactly one YAML document, found ${real.length}`,
    );
  }
  const doc = real[0]!;
  if (doc.errors.length > 0) {
    throw new AdmissionError("config-invalid", `${file}: not valid YAML: ${doc.errors[0]!.message}`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // The yaml package refuses an alias bomb only when expanding it, here.
    throw new AdmissionError("config-invalid", `${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (!isRecord(data))
    throw new AdmissionError("config-invalid", `${file}: expected a mapping at the top level`);
  unknownKeys(data, TOP_KEYS, "", p);
  if (data.apiVersion !== CONFIG_API_VERSION)
    p.add("apiVersion", `must be ${CONFIG_API_VERSION}, got ${JSON.stringify(data.apiVersion)}`);
  if (data.kind !== CONFIG_KIND) p.add("kind", `must be ${CONFIG_KIND}, got ${JSON.stringify(data.kind)}`);
  const base = dirname(resolve(file));

  // podSecurity
  const ps = data.podSecurity ?? {};
  let defaults: PsaPolicy = {
    enforce: { level: "privileged", version: "latest" },
    warn: { level: "privileged", version: "latest" },
    audit: { level: "privileged", version: "latest" },
  };
  let psExemptions: Exemptions = { namespaces: [], usernames: [], runtimeClasses: [] };
  if (!isRecord(ps)) p.add("podSecurity", "must be a mapping of defaults and exemptions");
  else {
    unknownKeys(ps, ["defaults", "exemptions"], "podSecurity", p);
    const d = ps.defaults ?? {};
    if (!isRecord(d)) p.add("podSecurity.defaults", "must be a mapping");
    else {
      const keys = ["enforce", "enforce-version", "warn", "warn-version", "audit", "audit-version"];
      unknownKeys(d, keys, "podSecurity.defaults", p);
      const lv = (mode: "enforce" | "warn" | "audit"): LevelVersion => ({
        level: parseLevel(d[mode], `podSecurity.defaults.${mode}`, p, "privileged"),
        version: parseVersion(d[`${mode}-version`], `podSecurity.defaults.${mode}-version`, p),
      });
      defaults = { enforce: lv("enforce"), warn: lv("warn"), audit: lv("audit") };
    }
    psExemptions = parseExemptions(ps.exemptions, "podSecurity.exemptions", p);
  }

  // namespaces
  const namespaces: AdmissionConfig["namespaces"] = {};
  if (data.namespaces !== undefined && data.namespaces !== null) {
    if (!isRecord(data.namespaces)) p.add("namespaces", "must be a mapping of namespace name to { labels }");
    else
      for (const [name, ns] of Object.entries(data.namespaces)) {
        const path = `namespaces.${name}`;
        if (!isRecord(ns)) {
          p.add(path, "must be a mapping with labels");
          continue;
        }
        unknownKeys(ns, ["labels"], path, p);
        const labels: Record<string, string> = {};
        if (ns.labels !== undefined && !isRecord(ns.labels))
          p.add(`${path}.labels`, "must be a mapping of strings");
        else
          for (const [k, v] of Object.entries(ns.labels ?? {})) {
            if (typeof v !== "string") p.add(`${path}.labels.${k}`, "must be a string");
            else labels[k] = v;
          }
        namespaces[name] = { labels };
      }
  }

  const exemptions = parseExemptions(data.exemptions, "exemptions", p);

  const rules = parseRules(data, base, p);
  const policies: AdmissionConfig["policies"] = { files: [], params: [] };
  if (data.policies !== undefined && data.policies !== null) {
    if (!isRecord(data.policies)) p.add("policies", "must be a mapping of files and params");
    else {
      unknownKeys(data.policies, ["files", "params"], "policies", p);
      policies.files = strings(data.policies.files, "policies.files", p).map((f) => resolve(base, f));
      policies.params = strings(data.policies.params, "policies.params", p).map((f) => resolve(base, f));
    }
  }

  if (p.list.length > 0) {
    throw new AdmissionError(
      "config-invalid",
      `${file}: invalid AdmissionConfig:\n  ${p.list.map((s) => s.replace(/^\./, "")).join("\n  ")}`,
    );
  }
  return {
    file,
    podSecurity: { defaults, exemptions: psExemptions },
    namespaces,
    exemptions,
    ...rules,
    policies,
  };
}

/** Reads a config file, validates it and reads the signature key files it names. */
export async function loadAdmissionConfig(file: string): Promise<AdmissionConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new AdmissionError(
      "config-unreadable",
      `${file}: cannot read admission config: ${(err as Error).message}`,
    );
  }
  const config = parseAdmissionConfig(text, file);
  for (const rule of config.signatures) {
    const withFiles = rule.policy as SignaturePolicy & { keyFiles?: string[] };
    for (const f of withFiles.keyFiles ?? []) {
      try {
        rule.policy.keys ??= [];
        rule.policy.keys.push(await fs.readFile(f, "utf8"));
      } catch (err) {
        throw new AdmissionError(
          "config-unreadable",
          `${file}: cannot read signature key file ${f}: ${(err as Error).message}`,
        );
      }
    }
    delete withFiles.keyFiles;
  }
  return config;
}
