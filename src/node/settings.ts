// Setting audits: the effective value of a flag, environment variable or config-file key,
// and the comparisons the benchmark files use.
import { isRecord } from "../core/object.js";
import type { Audit, Op } from "./benchmark.js";
import {
  type ComponentName,
  FLAG_DEFAULTS,
  KUBELET_CONFIG_DEFAULTS,
  PROXY_CONFIG_DEFAULTS,
} from "./defaults.js";
import { lastValue, parseFeatureGates, splitList } from "./flags.js";
import type { ComponentFacts, Evidence, NodeFacts, Verdict } from "./types.js";

interface Lookup {
  value?: string;
  source: "flag" | "env" | "config" | "default" | "unset";
  path: string | null;
  key: string;
}

/** Kubelet config durations whose zero value the kubelet replaces with the default (v1beta1 defaulting). */
const ZERO_DURATION_DEFAULTS: ReadonlySet<string> = new Set(["streamingConnectionIdleTimeout"]);

export function configOf(component: ComponentName, facts: NodeFacts) {
  return component === "kubelet"
    ? facts.kubeletConfig
    : component === "kube-proxy"
      ? facts.proxyConfig
      : undefined;
}

export function getPath(data: unknown, dotted: string): unknown {
  let cur: unknown = data;
  for (const part of dotted.split(".")) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function show(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The effective value of one setting: flag (last wins) over env over config file over default. */
export function lookupSetting(
  comp: ComponentFacts,
  facts: NodeFacts,
  flag: string,
  opts: { config?: string; env?: string; gate?: string; useDefault?: boolean } = {},
): Lookup {
  const cfg = configOf(comp.name, facts);
  if (opts.gate) {
    const fromFlag = parseFeatureGates(lastValue(comp.flags, flag)).get(opts.gate);
    if (fromFlag !== undefined)
      return { value: fromFlag, source: "flag", path: comp.where, key: `${flag}=${opts.gate}` };
    const fromCfg = show(getPath(cfg?.data, `featureGates.${opts.gate}`));
    if (fromCfg !== undefined && cfg)
      return { value: fromCfg, source: "config", path: cfg.path, key: `featureGates.${opts.gate}` };
    return { source: "unset", path: comp.where, key: `${flag}=${opts.gate}` };
  }
  const fromFlag = lastValue(comp.flags, flag);
  if (fromFlag !== undefined) return { value: fromFlag, source: "flag", path: comp.where, key: flag };
  if (opts.env && comp.env[opts.env] !== undefined)
    return { value: comp.env[opts.env], source: "env", path: comp.where, key: opts.env };
  if (opts.config && cfg) {
    const v = show(getPath(cfg.data, opts.config));
    // The kubelet defaults a zero duration in its config file as if it were absent.
    const zeroMeansDefault =
      comp.name === "kubelet" &&
      ZERO_DURATION_DEFAULTS.has(opts.config) &&
      v !== undefined &&
      parseDuration(v) === 0;
    if (v !== undefined && !zeroMeansDefault)
      return { value: v, source: "config", path: cfg.path, key: opts.config };
  }
  if (opts.useDefault !== false) {
    // With a config file, the kubelet and kube-proxy apply the config file's defaults.
    const cfgDefault =
      opts.config && cfg
        ? (comp.name === "kubelet"
            ? KUBELET_CONFIG_DEFAULTS
            : comp.name === "kube-proxy"
              ? PROXY_CONFIG_DEFAULTS
              : {})[opts.config]
        : undefined;
    const d = cfgDefault ?? FLAG_DEFAULTS[comp.name][flag];
    if (d !== undefined) {
      return cfgDefault !== undefined && cfg
        ? { value: d, source: "default", path: cfg.path, key: opts.config ?? flag }
        : { value: d, source: "default", path: comp.where, key: flag };
    }
  }
  return { source: "unset", path: comp.where, key: opts.config && cfg ? `${flag} / ${opts.config}` : flag };
}

const BOOLS = new Set(["true", "false"]);

/** Go duration ("4h0m0s", "5m", "0s", "0") in seconds; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  return consumed > 0 && consumed === text.length ? total : undefined;
}

/** Equal as booleans (any case), as durations ("0" and "0s"), or as text. */
function same(a: string, b: string): boolean {
  if (BOOLS.has(a.toLowerCase()) || BOOLS.has(b.toLowerCase())) return a.toLowerCase() === b.toLowerCase();
  const da = parseDuration(a);
  const db = parseDuration(b);
  if (da !== undefined && db !== undefined) return da === db;
  return a === b;
}

export function compare(op: Op, actual: string | undefined, want: string | undefined): boolean {
  switch (op) {
    case "set":
      return actual !== undefined;
    case "unset":
      return actual === undefined;
    case "eq":
      return actual !== undefined && want !== undefined && same(actual, want);
    case "noteq":
      return actual !== undefined && want !== undefined && !same(actual, want);
    case "has":
      return want !== undefined && splitList(actual).includes(want);
    case "nothave":
      return want !== undefined && !splitList(actual).includes(want);
    case "gte":
    case "lte": {
      if (actual === undefined || want === undefined) return false;
      const a = Number(actual);
      const w = Number(want);
      if (Number.isNaN(a) || Number.isNaN(w)) return false;
      return op === "gte" ? a >= w : a <= w;
    }
    case "contains":
      return actual !== undefined && want !== undefined && actual.includes(want);
    case "valid_elements": {
      const allowed = new Set(splitList(want));
      const got = splitList(actual);
      return got.length > 0 && got.every((x) => allowed.has(x));
    }
  }
}

export function describeExpected(op: Op, want: string | undefined): string {
  switch (op) {
    case "set":
      return "set";
    case "unset":
      return "not set";
    case "eq":
      return `${want}`;
    case "noteq":
      return `not ${want}`;
    case "has":
      return `includes ${want}`;
    case "nothave":
      return `does not include ${want}`;
    case "gte":
      return `>= ${want}`;
    case "lte":
      return `<= ${want}`;
    case "valid_elements":
      return `only of ${want}`;
    case "contains":
      return `contains ${want}`;
  }
}

export function settingAudit(a: Extract<Audit, { type: "setting" }>, facts: NodeFacts): Verdict {
  const comp = facts.components[a.component];
  if (!comp) return { ok: "skip", message: `${a.component} does not run on this node` };
  const notes: string[] = [];
  let first: Evidence | undefined;
  let ok = true;
  for (const [i, flag] of a.flags.entries()) {
    const config = a.configs?.[i];
    const l = lookupSetting(comp, facts, flag, {
      config,
      env: a.env,
      gate: a.gate,
      // "set"/"unset" ask whether the operator wrote the setting, so defaults do not count.
      useDefault: a.unset === undefined && a.op !== "set" && a.op !== "unset",
    });
    let pass: boolean;
    if (l.source === "unset" && a.unset) pass = a.unset === "pass";
    else pass = compare(a.op, l.value, a.value);
    const expected = describeExpected(a.op, a.value);
    const where =
      l.source === "default"
        ? " (default)"
        : l.source === "config"
          ? ` in ${l.path}`
          : l.source === "env"
            ? " (environment)"
            : "";
    notes.push(
      l.value === undefined
        ? `${a.component} ${l.key} is not set`
        : `${a.component} ${l.key} is "${l.value}"${where}`,
    );
    const ev: Evidence = {
      component: a.component,
      kind: l.source === "config" || (l.source === "default" && l.key === config) ? "config" : "flag",
      key: l.key,
      path: l.path,
      actual: l.value ?? null,
      expected,
    };
    if (!pass && ok) first = ev;
    if (!first) first = ev;
    ok &&= pass;
  }
  const expectedAll = describeExpected(a.op, a.value);
  return {
    ok,
    message: `${notes.join("; ")}; expected ${a.op === "set" || a.op === "unset" ? expectedAll : `${a.gate ? a.gate : a.flags.join(", ")} ${expectedAll}`}`,
    evidence: first,
    path: comp.editAt ?? comp.where,
  };
}
