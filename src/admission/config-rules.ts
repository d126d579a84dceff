// The rule sections of an AdmissionConfig (checks, images, resources, signatures, vulnerabilities,
// mutation) and the validation helpers every section shares. Problems are collected, not thrown.
import { resolve } from "node:path";
import { matchSelector } from "../config/checks/lib/selector.js";
import type { SignaturePolicy } from "../core/image-gates.js";
import { isSeverity } from "../core/model.js";
import { isRecord } from "../core/object.js";
import {
  type AdmissionConfig,
  type ChecksRule,
  type ImageRule,
  MODES,
  type Mode,
  type MutationConfig,
  RESOURCE_FIELDS,
  type ResourceField,
  type ResourceRule,
  type RuleScope,
  type SignatureRule,
  type VulnerabilityRule,
} from "./config.js";
import { type Problems, strings } from "./problems.js";
import { parseQuantity } from "./quantity.js";

export function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  p: Problems,
): void {
  for (const k of Object.keys(obj))
    if (!allowed.includes(k)) p.add(`${path}.${k}`, `unknown key (expected ${allowed.join(", ")})`);
}

export function parseScope(
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

export function list(
  v: unknown,
  path: string,
  p: Problems,
): Array<{ item: Record<string, unknown>; path: string }> {
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

type RuleSections = Pick<
  AdmissionConfig,
  "checks" | "images" | "resources" | "signatures" | "vulnerabilities" | "mutation"
>;

/** Parses the rule sections of a config document; `base` is the config's directory (for key files). */
export function parseRules(data: Record<string, unknown>, base: string, p: Problems): RuleSections {
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

  return { checks, images, resources, signatures, vulnerabilities, mutation };
}
