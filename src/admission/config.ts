// The AdmissionConfig file (apiVersion kubeward.io/v1alpha1, kind AdmissionConfig): parsed and
// validated into a typed config. Every problem is collected and reported together, each naming the
// file and the field, under the stable code "config-invalid".
import { promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { matchSelector } from "../config/checks/lib/selector.js";
import { parsePssVersion } from "../config/pss/index.js";
import type { SignaturePolicy } from "../core/image-gates.js";
import { isSeverity, type Severity } from "../core/model.js";
import { isRecord } from "../core/object.js";
import { AdmissionError } from "./errors.js";
import { parseQuantity } from "./quantity.js";

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

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

function strings(v: unknown, path: string, p: Problems): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    p.add(path, "must be a list of strings");
    return [];
  }
  return v as string[];
}

function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  p: Problems,
): void {
  for (const k of Object.keys(obj))
    if (!allowed.includes(k)) p.add(`${path}.${k}`, `unknown key (expected ${allowed.join(", ")})`);
}

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

function parseScope(
  r: Record<string, unknown>,
  path: string,
  p: Problems,
  defaultMode: Mode = "enforce",
): RuleScope {
  const mode = r.mode ?? defaultMode;
  if (!MODES.includes(mode as Mode))
    p.add(`${path}.mode`, `must be enforce, warn or audit, got ${JSON.stringify(mode)}`);
  const scope: RuleScope = { mode: MODES.includes(mode as Mode) ? (mode as Mode) : "enforce" };
  if (r.namespaceSelector !== undefined) {
    const check = matchSelector(r.namespaceSelector, {});
    if (!check.ok) p.add(`${path}.namespaceSelector`, check.error);
    else scope.namespaceSelector = r.namespaceSelector as Record<string, unknown>;
  }
  return scope;
}

function list(v: unknown, path: string, p: Problems): Array<{ item: Record<string, unknown>; path: string }> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    p.add(path, "must be a list");
    return [];
  }
  const out: Array<{ item: Record<string, unknown>; path: string }> = [];
  v.forEach((item, i) => {
    if (!isRecord(item)) p.add(`${path}[${i}]`, "must be a mapping");
    else out.push({ item, path: `${path}[${i}]` });
  });
  return out;
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
  const data: unknown = doc.toJS();
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

  const checks: ChecksRule[] = list(data.checks, "checks", p).map(({ item, path }) => {
    unknownKeys(item, ["ids", "mode", "namespaceSelector"], path, p);
    const ids = strings(item.ids, `${path}.ids`, p);
    if (ids.length === 0) p.add(`${path}.ids`, "must list at least one check id (e.g. KW-WL-004)");
    return { ...parseScope(item, path, p), ids };
  });

  const images: ImageRule[] = list(data.images, "images", p).map(({ item, path }) => {
    unknownKeys(
      item,
      [
        "mode",
        "namespaceSelector",
        "allowedRegistries",
        "allowedRepositories",
        "requireDigest",
        "forbidLatest",
      ],
      path,
      p,
    );
    const r: ImageRule = { ...parseScope(item, path, p) };
    if (item.allowedRegistries !== undefined)
      r.allowedRegistries = strings(item.allowedRegistries, `${path}.allowedRegistries`, p);
    if (item.allowedRepositories !== undefined)
      r.allowedRepositories = strings(item.allowedRepositories, `${path}.allowedRepositories`, p);
    for (const k of ["requireDigest", "forbidLatest"] as const) {
      if (item[k] === undefined) continue;
      if (typeof item[k] !== "boolean") p.add(`${path}.${k}`, "must be true or false");
      else r[k] = item[k] as boolean;
    }
    return r;
  });

  const resources: ResourceRule[] = list(data.resources, "resources", p).map(({ item, path }) => {
    unknownKeys(item, ["mode", "namespaceSelector", "require", "max"], path, p);
    const require = strings(item.require, `${path}.require`, p).filter((f) => {
      if ((RESOURCE_FIELDS as readonly string[]).includes(f)) return true;
      p.add(`${path}.require`, `unknown field ${JSON.stringify(f)} (expected ${RESOURCE_FIELDS.join(", ")})`);
      return false;
    }) as ResourceField[];
    const max: ResourceRule["max"] = {};
    if (item.max !== undefined) {
      if (!isRecord(item.max)) p.add(`${path}.max`, 'must be a mapping such as { limits.cpu: "2" }');
      else
        for (const [k, v] of Object.entries(item.max)) {
          if (!(RESOURCE_FIELDS as readonly string[]).includes(k)) {
            p.add(`${path}.max.${k}`, `unknown field (expected ${RESOURCE_FIELDS.join(", ")})`);
            continue;
          }
          const text = typeof v === "number" ? String(v) : v;
          const value = typeof text === "string" ? parseQuantity(text) : undefined;
          if (value === undefined)
            p.add(`${path}.max.${k}`, `not a Kubernetes quantity: ${JSON.stringify(v)}`);
          else max[k as ResourceField] = { text: text as string, value };
        }
    }
    return { ...parseScope(item, path, p), require, max };
  });

  const signatures: SignatureRule[] = list(data.signatures, "signatures", p).map(({ item, path }) => {
    unknownKeys(
      item,
      [
        "mode",
        "namespaceSelector",
        "images",
        "keys",
        "keyFiles",
        "certificateIdentity",
        "certificateIdentityRegexp",
        "certificateOidcIssuer",
        "certificateOidcIssuerRegexp",
        "annotations",
      ],
      path,
      p,
    );
    const images = strings(item.images, `${path}.images`, p);
    if (images.length === 0) p.add(`${path}.images`, "must list at least one image pattern");
    const policy: SignaturePolicy = {};
    const keys = strings(item.keys, `${path}.keys`, p);
    const keyFiles = strings(item.keyFiles, `${path}.keyFiles`, p).map((f) => resolve(base, f));
    if (keys.length + keyFiles.length > 0) policy.keys = keys;
    // key files are read by loadAdmissionConfig; keep their paths for it
    if (keyFiles.length > 0) (policy as SignaturePolicy & { keyFiles?: string[] }).keyFiles = keyFiles;
    for (const k of [
      "certificateIdentity",
      "certificateIdentityRegexp",
      "certificateOidcIssuer",
      "certificateOidcIssuerRegexp",
    ] as const) {
      if (item[k] === undefined) continue;
      if (typeof item[k] !== "string") p.add(`${path}.${k}`, "must be a string");
      else policy[k] = item[k] as string;
    }
    if (item.annotations !== undefined) {
      if (!isRecord(item.annotations) || Object.values(item.annotations).some((v) => typeof v !== "string"))
        p.add(`${path}.annotations`, "must be a mapping of strings");
      else policy.annotations = item.annotations as Record<string, string>;
    }
    if (!policy.keys && !policy.certificateIdentity && !policy.certificateIdentityRegexp)
      p.add(path, "needs keys, keyFiles or a certificate identity");
    return { ...parseScope(item, path, p), images, policy };
  });

  const vulnerabilities: VulnerabilityRule[] = list(data.vulnerabilities, "vulnerabilities", p).map(
    ({ item, path }) => {
      unknownKeys(
        item,
        ["mode", "namespaceSelector", "images", "severity", "maxFindings", "timeoutSeconds", "onTimeout"],
        path,
        p,
      );
      const r: VulnerabilityRule = {
        ...parseScope(item, path, p),
        images: item.images === undefined ? ["**"] : strings(item.images, `${path}.images`, p),
        timeoutMs: 3000,
        onTimeout: "allow",
      };
      if (item.severity !== undefined) {
        if (typeof item.severity !== "string" || !isSeverity(item.severity))
          p.add(`${path}.severity`, "must be critical, high, medium, low or info");
        else r.severity = item.severity;
      }
      if (item.maxFindings !== undefined) {
        if (!Number.isInteger(item.maxFindings) || (item.maxFindings as number) < 0)
          p.add(`${path}.maxFindings`, "must be a whole number >= 0");
        else r.maxFindings = item.maxFindings as number;
      }
      if (item.timeoutSeconds !== undefined) {
        if (typeof item.timeoutSeconds !== "number" || item.timeoutSeconds <= 0 || item.timeoutSeconds > 30)
          p.add(`${path}.timeoutSeconds`, "must be a number of seconds in (0, 30]");
        else r.timeoutMs = item.timeoutSeconds * 1000;
      }
      if (item.onTimeout !== undefined) {
        if (item.onTimeout !== "allow" && item.onTimeout !== "deny")
          p.add(`${path}.onTimeout`, "must be allow or deny");
        else r.onTimeout = item.onTimeout;
      }
      if (r.severity === undefined && r.maxFindings === undefined)
        p.add(path, "needs severity or maxFindings");
      return r;
    },
  );

  const policies: AdmissionConfig["policies"] = { files: [], params: [] };
  if (data.policies !== undefined && data.policies !== null) {
    if (!isRecord(data.policies)) p.add("policies", "must be a mapping of files and params");
    else {
      unknownKeys(data.policies, ["files", "params"], "policies", p);
      policies.files = strings(data.policies.files, "policies.files", p).map((f) => resolve(base, f));
      policies.params = strings(data.policies.params, "policies.params", p).map((f) => resolve(base, f));
    }
  }

  const mutation: MutationConfig = {
    enabled: false,
    seccompProfile: true,
    allowPrivilegeEscalation: true,
    dropAllCapabilities: true,
    nonRootImages: [],
    pinDigests: false,
  };
  if (data.mutation !== undefined && data.mutation !== null) {
    const m = data.mutation;
    if (!isRecord(m)) p.add("mutation", "must be a mapping");
    else {
      unknownKeys(
        m,
        [
          "enabled",
          "seccompProfile",
          "allowPrivilegeEscalation",
          "dropAllCapabilities",
          "nonRootImages",
          "pinDigests",
        ],
        "mutation",
        p,
      );
      for (const k of [
        "enabled",
        "seccompProfile",
        "allowPrivilegeEscalation",
        "dropAllCapabilities",
        "pinDigests",
      ] as const) {
        if (m[k] === undefined) continue;
        if (typeof m[k] !== "boolean") p.add(`mutation.${k}`, "must be true or false");
        else mutation[k] = m[k] as boolean;
      }
      mutation.nonRootImages = strings(m.nonRootImages, "mutation.nonRootImages", p);
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
    checks,
    images,
    resources,
    signatures,
    vulnerabilities,
    policies,
    mutation,
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
