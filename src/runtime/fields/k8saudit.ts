/**
 * The `ka.*` fields of Falco's k8saudit plugin and the `jevt.*`/`json.*` fields of its json plugin, with
 * the same value semantics: all values are strings, non-string JSON values print as compact JSON,
 * list fields yield one value per element, a missing path means "not available", and an event without
 * `auditID` has no `ka.*` value at all.
 */
import { type Extracted, type FieldDef, type FieldTable, makeTable, type Scalar } from "./types.js";

/** A Kubernetes audit event as the engine sees it. */
export interface AuditEvent {
  /** the parsed audit.k8s.io Event object (v1 or v1beta1) */
  raw: Record<string, unknown>;
  /** event time in ns since the epoch (stageTimestamp, else timestamp, else the time it was read) */
  tsNs: number;
  /** JSON text of the event, for jevt.obj (computed lazily when absent) */
  text?: string;
  /** optional cluster name the source was configured with */
  cluster?: string;
}

const NA = Symbol("not-available");
type Json = unknown;
/** a list element that could not be read (kept so that *SkipNil / *WithDefault can tell) */
type Slot = Json | typeof NA;

function asString(v: Json): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function get(v: Json, keys: readonly string[]): Json | undefined {
  let cur = v;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (Array.isArray(cur)) {
      // fastjson reads a decimal key as an array index
      if (!/^[0-9]+$/.test(k)) return undefined;
      cur = cur[Number(k)];
    } else cur = (cur as Record<string, Json>)[k];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Walk `keys`; an array met on the way fans out (no index) or is indexed by `index`. */
function valuesRecursive(v: Json, index: number, keys: readonly string[], from = 0): Slot[] | typeof NA {
  let cur = v;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(cur)) {
      if (index < 0) {
        const res: Slot[] = [];
        for (const el of cur) {
          const sub = valuesRecursive(el, index, keys, i);
          if (sub === NA) res.push(NA);
          else res.push(...sub);
        }
        return res;
      }
      if (index >= cur.length) return NA;
      cur = cur[index];
    }
    const k = keys[i]!;
    if (k.length > 0) {
      const next = get(cur, [k]);
      if (next === undefined) return NA;
      cur = next;
    }
  }
  return [cur];
}

function skipNil(arr: Slot[]): string[] {
  const out: string[] = [];
  for (const v of arr) if (v !== NA) out.push(asString(v));
  return out;
}

function listOrNA(values: Scalar[] | undefined): Extracted {
  return values && values.length > 0 ? values : undefined;
}

function indexOf(arg: string | undefined): number {
  if (arg === undefined) return -1;
  const n = Number(arg);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

function fromKeys(raw: Json, keys: readonly string[]): Extracted {
  const v = get(raw, keys);
  return v === undefined ? undefined : asString(v);
}

/** A compiled object path for plain (non-array) steps: the hot path of most ka.* fields. */
function pathGetter(keys: readonly string[]): (raw: Json) => Json | undefined {
  if (keys.length === 1) {
    const [k0] = keys as [string];
    return (r) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) return get(r, keys);
      return (r as Record<string, Json>)[k0];
    };
  }
  if (keys.length === 2) {
    const [k0, k1] = keys as [string, string];
    return (r) => {
      const a = (r as Record<string, Json>)[k0];
      if (a === null || typeof a !== "object" || Array.isArray(a))
        return a === undefined ? undefined : get(a, [k1]);
      return (a as Record<string, Json>)[k1];
    };
  }
  return (r) => get(r, keys);
}

function listFromKeys(raw: Json, keys: readonly string[]): Extracted {
  const v = get(raw, keys);
  if (v === undefined || !Array.isArray(v)) return undefined;
  return listOrNA(v.map(asString));
}

function images(raw: Json, list: string, index: number): string[] | undefined {
  const arr = valuesRecursive(raw, index, ["requestObject", "spec", list, "image"]);
  if (arr === NA || arr.some((x) => x === NA || x === null)) return undefined;
  return arr.map(asString);
}

function repository(image: string): string {
  return image.split(":")[0]!.split("@")[0]!;
}

function containerValues(raw: Json, list: string, index: number, path: string[]): Extracted {
  const arr = valuesRecursive(raw, index, ["requestObject", "spec", list, ...path]);
  return arr === NA ? undefined : listOrNA(skipNil(arr));
}

function effective(raw: Json, list: string, index: number, key: string): Extracted {
  const pod = get(raw, ["requestObject", "spec", "securityContext", key]);
  const dflt = pod === undefined ? "0" : asString(pod);
  const arr = valuesRecursive(raw, index, ["requestObject", "spec", list, "securityContext", key]);
  if (arr === NA) return undefined;
  return listOrNA(arr.map((v) => (v === NA ? dflt : asString(v))));
}

function hostPorts(raw: Json, list: string, index: number): Extracted {
  const arr = valuesRecursive(raw, index, ["requestObject", "spec", list, "ports"]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const ports of arr) {
    if (ports === NA) continue;
    if (!Array.isArray(ports)) return undefined;
    for (const p of ports) {
      const hp = get(p, ["hostPort"]);
      const cp = get(p, ["containerPort"]);
      if (hp !== undefined) out.push(asString(hp));
      else if (cp !== undefined) out.push(asString(cp));
    }
  }
  return listOrNA(out);
}

function rulesField(raw: Json, index: number, key: string): Extracted {
  const arr = valuesRecursive(raw, index, ["requestObject", "rules", key]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const v of arr) if (Array.isArray(v)) out.push(...skipNil(v));
  return listOrNA(out);
}

function subjects(raw: Json, kind: string, withNs: boolean): Extracted {
  const subs = get(raw, ["requestObject", "subjects"]);
  if (!Array.isArray(subs)) return undefined;
  const out: string[] = [];
  for (const s of subs) {
    if (get(s, ["kind"]) !== kind) continue;
    const name = get(s, ["name"]);
    if (name === undefined) continue;
    out.push(withNs ? `${asString(get(s, ["namespace"]) ?? "")}:${asString(name)}` : asString(name));
  }
  return listOrNA(out);
}

function uriParam(raw: Json, key: string | undefined): Extracted {
  const uri = get(raw, ["requestURI"]);
  if (uri === undefined || key === undefined) return undefined;
  const s = asString(uri);
  const q = s.indexOf("?");
  if (q < 0) return undefined;
  try {
    const v = new URLSearchParams(s.slice(q + 1)).get(key);
    return v === null ? undefined : v;
  } catch {
    return undefined;
  }
}

function volumeTypes(raw: Json, index: number): Extracted {
  const arr = valuesRecursive(raw, index, ["requestObject", "spec", "volumes", ""]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const v of arr) {
    if (v === NA || v === null || typeof v !== "object" || Array.isArray(v)) continue;
    for (const k of Object.keys(v)) if (k !== "name") out.push(k);
  }
  return listOrNA(out);
}

type KaExtract = (raw: Record<string, unknown>, arg: string | undefined, evt: AuditEvent) => Extracted;

function ka(
  name: string,
  desc: string,
  fn: KaExtract,
  opts: Partial<FieldDef<AuditEvent>> = {},
): FieldDef<AuditEvent> {
  return {
    name,
    type: "string",
    desc,
    ...opts,
    extract: (evt, arg) => (evt.raw.auditID === undefined ? undefined : fn(evt.raw, arg, evt)),
  };
}
const keysField = (name: string, desc: string, ...keys: string[]) => {
  const path = pathGetter(keys);
  return ka(name, desc, (r) => {
    const v = path(r);
    return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
  });
};
const listKeysField = (name: string, desc: string, ...keys: string[]) =>
  ka(name, desc, (r) => listFromKeys(r, keys), { list: true });
const idx = { list: true, arg: "index" as const };

/** The per-container-list fields, generated for containers, initContainers and ephemeralContainers. */
function containerListFields(list: string): FieldDef<AuditEvent>[] {
  const p = `ka.req.pod.${list}`;
  const sc = (key: string) => (r: Json, a: string | undefined) =>
    containerValues(r, list, indexOf(a), ["securityContext", key]);
  return [
    ka(`${p}.name`, `${list} names`, (r, a) => containerValues(r, list, indexOf(a), ["name"]), idx),
    ka(`${p}.image`, `${list} images`, (r, a) => listOrNA(images(r, list, indexOf(a))), idx),
    ka(
      `${p}.image.repository`,
      `${list} image repositories`,
      (r, a) => listOrNA(images(r, list, indexOf(a))?.map(repository)),
      idx,
    ),
    ka(`${p}.command`, `${list} commands`, (r, a) => containerValues(r, list, indexOf(a), ["command"]), idx),
    ka(`${p}.args`, `${list} args`, (r, a) => containerValues(r, list, indexOf(a), ["args"]), idx),
    ka(`${p}.host_port`, `${list} hostPort values`, (r, a) => hostPorts(r, list, indexOf(a)), idx),
    ka(`${p}.privileged`, `${list} privileged flags`, sc("privileged"), idx),
    ka(
      `${p}.allow_privilege_escalation`,
      `${list} allowPrivilegeEscalation flags`,
      sc("allowPrivilegeEscalation"),
      idx,
    ),
    ka(`${p}.read_only_fs`, `${list} readOnlyRootFilesystem flags`, sc("readOnlyRootFilesystem"), idx),
    ka(`${p}.run_as_user`, `${list} runAsUser`, sc("runAsUser"), idx),
    ka(`${p}.run_as_group`, `${list} runAsGroup`, sc("runAsGroup"), idx),
    ka(
      `${p}.eff_run_as_user`,
      `${list} effective uid`,
      (r, a) => effective(r, list, indexOf(a), "runAsUser"),
      idx,
    ),
    ka(
      `${p}.eff_run_as_group`,
      `${list} effective gid`,
      (r, a) => effective(r, list, indexOf(a), "runAsGroup"),
      idx,
    ),
    ka(`${p}.proc_mount`, `${list} procMount types`, sc("procMount"), idx),
    ka(
      `${p}.add_capabilities`,
      `${list} added capabilities`,
      (r, a) => containerValues(r, list, indexOf(a), ["securityContext", "capabilities", "add"]),
      idx,
    ),
  ];
}

function pointerKeys(ptr: string): string[] {
  return ptr
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function jsonPointer(raw: Json, ptr: string | undefined): Extracted {
  if (ptr === undefined) return undefined;
  if (ptr === "") return asString(raw);
  if (!ptr.startsWith("/")) return undefined;
  const v = get(raw, pointerKeys(ptr));
  return v === undefined ? undefined : asString(v);
}

function bindPointer(ptr: string | undefined): (e: AuditEvent) => Extracted {
  if (ptr === undefined || (ptr !== "" && !ptr.startsWith("/"))) return () => undefined;
  if (ptr === "") return (e) => asString(e.raw);
  const path = pathGetter(pointerKeys(ptr));
  return (e) => {
    const v = path(e.raw);
    return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
  };
}

function isoTime(ns: number): string {
  const us = Math.round(ns / 1000);
  const sec = Math.floor(us / 1e6);
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(us - sec * 1e6).padStart(6, "0")}000Z`;
}

function jsonFields(prefix: string): FieldDef<AuditEvent>[] {
  return [
    {
      name: `${prefix}.value`,
      type: "string",
      arg: "required-key",
      desc: "the value at a JSON pointer (RFC 6901) into the event",
      extract: (e, a) => jsonPointer(e.raw, a),
      bind: bindPointer,
    },
    {
      name: `${prefix}.obj`,
      type: "string",
      desc: "the whole event as JSON",
      extract: (e) => e.text ?? JSON.stringify(e.raw),
    },
    {
      name: `${prefix}.rawtime`,
      type: "number",
      desc: "event time, ns since the epoch",
      extract: (e) => e.tsNs,
    },
    {
      name: `${prefix}.time`,
      type: "string",
      desc: "event time",
      extract: (e) => isoTime(e.tsNs).replace("T", " "),
    },
    {
      name: `${prefix}.time.iso8601`,
      type: "string",
      desc: "event time, ISO 8601",
      extract: (e) => isoTime(e.tsNs),
    },
  ];
}

const DEFS: FieldDef<AuditEvent>[] = [
  keysField("ka.auditid", "The unique id of the audit event", "auditID"),
  keysField("ka.stage", "Stage of the request", "stage"),
  keysField("ka.auth.decision", "The authorization decision", "annotations", "authorization.k8s.io/decision"),
  keysField("ka.auth.reason", "The authorization reason", "annotations", "authorization.k8s.io/reason"),
  keysField(
    "ka.auth.openshift.decision",
    "OpenShift authorization decision",
    "annotations",
    "authorization.openshift.io/decision",
  ),
  keysField(
    "ka.auth.openshift.username",
    "OpenShift authenticated user",
    "annotations",
    "authentication.openshift.io/username",
  ),
  keysField(
    "ka.validations.admission.policy.failure",
    "ValidatingAdmissionPolicy failure",
    "annotations",
    "validation.policy.admission.k8s.io/validation_failure",
  ),
  keysField(
    "ka.security.pod.violations",
    "Pod security violations",
    "annotations",
    "pod-security.kubernetes.io/audit-violations",
  ),
  keysField("ka.user.name", "The user name performing the request", "user", "username"),
  listKeysField("ka.user.groups", "The groups to which the user belongs", "user", "groups"),
  keysField("ka.impuser.name", "The impersonated user name", "impersonatedUser", "username"),
  keysField("ka.verb", "The action being performed", "verb"),
  keysField("ka.uri", "The request URI", "requestURI"),
  ka("ka.uri.param", "A query parameter of the request URI", (r, a) => uriParam(r, a), {
    arg: "required-key",
  }),
  keysField("ka.target.name", "The target object name", "objectRef", "name"),
  keysField("ka.target.namespace", "The target object namespace", "objectRef", "namespace"),
  keysField("ka.target.resource", "The target object resource", "objectRef", "resource"),
  keysField("ka.target.subresource", "The target object subresource", "objectRef", "subresource"),
  ka("ka.target.pod.name", "The target pod name", (r) =>
    get(r, ["objectRef", "resource"]) === "pods" ? fromKeys(r, ["objectRef", "name"]) : undefined,
  ),
  listKeysField("ka.req.binding.subjects", "The binding subjects", "requestObject", "subjects"),
  ka("ka.req.binding.subjects.user_names", "Subject user names", (r) => subjects(r, "User", false), {
    list: true,
  }),
  ka(
    "ka.req.binding.subjects.serviceaccount_names",
    "Subject service account names",
    (r) => subjects(r, "ServiceAccount", false),
    {
      list: true,
    },
  ),
  ka(
    "ka.req.binding.subjects.serviceaccount_ns_names",
    "Subject namespace:serviceaccount",
    (r) => subjects(r, "ServiceAccount", true),
    {
      list: true,
    },
  ),
  ka("ka.req.binding.subjects.group_names", "Subject group names", (r) => subjects(r, "Group", false), {
    list: true,
  }),
  keysField("ka.req.binding.role", "The role linked by the binding", "requestObject", "roleRef", "name"),
  // upstream documents N/A but returns "true", like the original implementation did
  ka("ka.req.binding.subject.has_name", "Deprecated; always true", () => "true", { arg: "required-key" }),
  keysField("ka.req.configmap.name", "The configmap name", "objectRef", "name"),
  keysField("ka.req.configmap.obj", "The configmap data", "requestObject", "data"),
  ...containerListFields("containers"),
  ...containerListFields("initContainers"),
  ...containerListFields("ephemeralContainers"),
  ka("ka.req.container.image", "Image of the first container", (r) => images(r, "containers", 0)?.[0]),
  ka("ka.req.container.image.repository", "Repository of the first container's image", (r) => {
    const i = images(r, "containers", 0)?.[0];
    return i === undefined ? undefined : repository(i);
  }),
  keysField("ka.req.pod.host_ipc", "hostIPC flag", "requestObject", "spec", "hostIPC"),
  keysField("ka.req.pod.host_network", "hostNetwork flag", "requestObject", "spec", "hostNetwork"),
  keysField(
    "ka.req.container.host_network",
    "Deprecated alias for ka.req.pod.host_network",
    "requestObject",
    "spec",
    "hostNetwork",
  ),
  keysField("ka.req.pod.host_pid", "hostPID flag", "requestObject", "spec", "hostPID"),
  ka("ka.req.container.privileged", "true if any container is privileged", (r) => {
    const arr = valuesRecursive(r, -1, [
      "requestObject",
      "spec",
      "containers",
      "securityContext",
      "privileged",
    ]);
    if (arr === NA) return undefined;
    return arr.some((v) => v === true) ? "true" : "false";
  }),
  keysField(
    "ka.req.pod.run_as_user",
    "Pod runAsUser",
    "requestObject",
    "spec",
    "securityContext",
    "runAsUser",
  ),
  keysField(
    "ka.req.pod.run_as_group",
    "Pod runAsGroup",
    "requestObject",
    "spec",
    "securityContext",
    "runAsGroup",
  ),
  keysField("ka.req.pod.fs_group", "Pod fsGroup", "requestObject", "spec", "securityContext", "fsGroup"),
  listKeysField(
    "ka.req.pod.supplemental_groups",
    "Pod supplementalGroups",
    "requestObject",
    "spec",
    "securityContext",
    "supplementalGroups",
  ),
  listKeysField("ka.req.role.rules", "The role's rules", "requestObject", "rules"),
  ka(
    "ka.req.role.rules.apiGroups",
    "Rules' api groups",
    (r, a) => rulesField(r, indexOf(a), "apiGroups"),
    idx,
  ),
  ka(
    "ka.req.role.rules.nonResourceURLs",
    "Rules' non-resource URLs",
    (r, a) => rulesField(r, indexOf(a), "nonResourceURLs"),
    idx,
  ),
  ka("ka.req.role.rules.verbs", "Rules' verbs", (r, a) => rulesField(r, indexOf(a), "verbs"), idx),
  ka(
    "ka.req.role.rules.resources",
    "Rules' resources",
    (r, a) => rulesField(r, indexOf(a), "resources"),
    idx,
  ),
  keysField("ka.req.service.type", "Service type", "requestObject", "spec", "type"),
  ka(
    "ka.req.service.ports",
    "Service ports",
    (r, a) => {
      const arr = valuesRecursive(r, indexOf(a), ["requestObject", "spec", "ports"]);
      return arr === NA ? undefined : listOrNA(skipNil(arr));
    },
    idx,
  ),
  ka(
    "ka.req.volume.hostpath",
    "Deprecated: true if a hostPath volume uses the path (prefix when it ends with *)",
    (r, a) => {
      const arr = valuesRecursive(r, -1, ["requestObject", "spec", "volumes", "hostPath", "path"]);
      if (arr === NA || a === undefined) return undefined;
      const prefix = a.endsWith("*") ? a.slice(0, -1) : undefined;
      for (const v of skipNil(arr))
        if ((prefix !== undefined && v.startsWith(prefix)) || v === a) return "true";
      return "false";
    },
    { arg: "required-key" },
  ),
  ka(
    "ka.req.pod.volumes.hostpath",
    "hostPath paths",
    (r, a) => containerValues(r, "volumes", indexOf(a), ["hostPath", "path"]),
    idx,
  ),
  ka(
    "ka.req.pod.volumes.flexvolume_driver",
    "flexVolume drivers",
    (r, a) => containerValues(r, "volumes", indexOf(a), ["flexVolume", "driver"]),
    idx,
  ),
  ka("ka.req.pod.volumes.volume_type", "volume types", (r, a) => volumeTypes(r, indexOf(a)), idx),
  keysField("ka.resp.name", "The response object name", "responseObject", "metadata", "name"),
  keysField("ka.response.code", "The response code", "responseStatus", "code"),
  keysField("ka.response.reason", "The response reason", "responseStatus", "reason"),
  keysField("ka.useragent", "The user agent", "userAgent"),
  ka(
    "ka.sourceips",
    "Client IP addresses",
    (r, a) => {
      const arr = valuesRecursive(r, indexOf(a), ["sourceIPs"]);
      if (arr === NA) return undefined;
      const out: string[] = [];
      for (const v of arr)
        if (Array.isArray(v)) out.push(...skipNil(v));
        else if (v !== NA) out.push(asString(v));
      return listOrNA(out);
    },
    idx,
  ),
  ka("ka.cluster.name", "The cluster name the source was configured with", (_r, _a, e) => e.cluster),
  ...jsonFields("jevt"),
  ...jsonFields("json"),
];

export const K8S_AUDIT_FIELDS: FieldTable<AuditEvent> = makeTable("k8s_audit", DEFS);
