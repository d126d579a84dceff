/**
 * The `ka.*` fields of Falco's k8saudit plugin and the `jevt.*`/`json.*` fields of its json plugin, with
 * the same value semantics: all values are strings, non-string JSON values print as compact JSON,
 * list fields yield one value per element, a missing path means "not available", and an event without
 * `auditID` has no `ka.*` value at all.
 */
import { goTime, readGoRfc3339 } from "../sources/k8saudit-parse.js";
import { type Extracted, type FieldDef, type FieldTable, makeTable, type Scalar } from "./types.js";

/** A Kubernetes audit event as the engine sees it. */
export interface AuditEvent {
  /** the parsed audit.k8s.io Event object (v1 or v1beta1) */
  raw: Record<string, unknown>;
  /** event time in ns since the epoch (stageTimestamp, else timestamp, else the time it was read) */
  tsNs: number;
  /** JSON text of the event as read, for jevt.obj (JSON.stringify of `raw` when absent) */
  text?: string;
}

const NA = Symbol("not-available");
type Json = unknown;
/** a list element that could not be read (kept so that *SkipNil / *WithDefault can tell) */
type Slot = Json | typeof NA;

function asString(v: Json): string {
  // numbers and booleans print the same through String, without the generic serializer
  if (typeof v === "string") return v;
  return typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/**
 * An own member of a parsed JSON object. Inherited members (`constructor`, `toString`, `__proto__`...)
 * are not JSON values; they are functions or `__proto__`, so only those need the own-key check.
 */
function member(o: object, k: string): Json | undefined {
  const v = (o as Record<string, Json>)[k];
  if (v === undefined || (typeof v !== "function" && k !== "__proto__")) return v;
  return Object.hasOwn(o, k) ? v : undefined;
}

/** One step of the plugin's JSON walk: an object member, or an array index. */
function step(cur: Json, k: string): Json | undefined {
  if (cur === null || typeof cur !== "object") return undefined;
  if (Array.isArray(cur)) {
    // the plugin's JSON library reads a decimal key (an optional sign allowed) as an array index
    if (!/^[+-]?[0-9]+$/.test(k)) return undefined;
    const i = Number(k);
    return i >= 0 && i < cur.length ? cur[i] : undefined;
  }
  return member(cur, k);
}

function get(v: Json, keys: readonly string[]): Json | undefined {
  let cur = v;
  for (const k of keys) {
    cur = step(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Walk `keys`; an array met before a key fans out (no index) or is indexed by `index`. */
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
      const next = step(cur, k);
      if (next === undefined) return NA;
      cur = next;
    }
  }
  return [cur];
}

/** Every readable element as a string; unreadable ones are dropped. */
function skipNil(arr: Slot[]): string[] {
  const out: string[] = [];
  for (const v of arr) if (v !== NA) out.push(asString(v));
  return out;
}

/** Every element as a string, or nothing at all when one cannot be read. */
function allOrNothing(arr: Slot[] | typeof NA): string[] | undefined {
  if (arr === NA || arr.includes(NA)) return undefined;
  return arr.map(asString);
}

/** The plugin framework reads an empty list as "no value". */
function listOrNA(values: Scalar[] | undefined): Extracted {
  return values && values.length > 0 ? values : undefined;
}

/** The field argument as an index filter (-1: none). Index arguments are digit strings (checked at compile time). */
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
  // a key that no object inherits reads an own member directly (the common case, and the fast one)
  const plain = keys.every((k) => !(k in Object.prototype));
  if (plain && keys.length === 1) {
    const [k0] = keys as [string];
    return (r) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) return step(r, k0);
      return (r as Record<string, Json>)[k0];
    };
  }
  if (plain && keys.length === 2) {
    const [k0, k1] = keys as [string, string];
    return (r) => {
      const a =
        r === null || typeof r !== "object" || Array.isArray(r)
          ? step(r, k0)
          : (r as Record<string, Json>)[k0];
      if (a === null || typeof a !== "object" || Array.isArray(a))
        return a === undefined ? undefined : step(a, k1);
      return (a as Record<string, Json>)[k1];
    };
  }
  return (r) => get(r, keys);
}

/** A list read whole from one path: must be an array (anything else is a type error, so no value). */
function listFromKeys(raw: Json, keys: readonly string[]): Extracted {
  const v = get(raw, keys);
  if (v === undefined || !Array.isArray(v)) return undefined;
  return listOrNA(v.map(asString));
}

function containerSlots(raw: Json, list: string, index: number, path: readonly string[]): Slot[] | typeof NA {
  return valuesRecursive(raw, index, ["requestObject", "spec", list, ...path]);
}

/** Images of a container list; a container without an image makes the whole field unavailable. */
function images(raw: Json, list: string, index: number): string[] | undefined {
  return allOrNothing(containerSlots(raw, list, index, ["image"]));
}

/** The repository part of an image reference, cut the plugin's way (before the first `:`, then `@`). */
function repository(image: string): string {
  return image.split(":")[0]!.split("@")[0]!;
}

function containerValues(raw: Json, list: string, index: number, path: readonly string[]): Extracted {
  const arr = containerSlots(raw, list, index, path);
  return arr === NA ? undefined : listOrNA(skipNil(arr));
}

/**
 * `command`/`args`: one value per container that has them, its strings joined by spaces. A container
 * whose value is not an array of strings makes the whole field unavailable (a type error upstream).
 */
function joinedStrings(raw: Json, list: string, index: number, key: string): Extracted {
  const arr = containerSlots(raw, list, index, [key]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const v of arr) {
    if (v === NA) continue;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) return undefined;
    out.push(v.join(" "));
  }
  return listOrNA(out);
}

/**
 * `eff_run_as_user`/`eff_run_as_group`. Upstream reads the pod default from `spec.<key>` and each
 * container's value from `<container>.<key>`, not from the securityContext objects, so in practice
 * every container gets `spec.<key>` or "0". Kept as upstream has it.
 */
function effective(raw: Json, list: string, index: number, key: string): Extracted {
  const pod = get(raw, ["requestObject", "spec", key]);
  const dflt = pod === undefined ? "0" : asString(pod);
  const arr = containerSlots(raw, list, index, [key]);
  if (arr === NA) return undefined;
  return listOrNA(arr.map((v) => (v === NA ? dflt : asString(v))));
}

function hostPorts(raw: Json, list: string, index: number): Extracted {
  const arr = containerSlots(raw, list, index, ["ports"]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const ports of arr) {
    if (ports === NA) continue;
    if (!Array.isArray(ports)) return undefined;
    for (const p of ports) {
      const hp = step(p, "hostPort");
      const cp = step(p, "containerPort");
      if (hp !== undefined) out.push(asString(hp));
      else if (cp !== undefined) out.push(asString(cp));
    }
  }
  return listOrNA(out);
}

/** `requestObject.rules[].<key>`: the array members of every rule, flattened; other values are dropped. */
function rulesField(raw: Json, index: number, key: string): Extracted {
  const arr = valuesRecursive(raw, index, ["requestObject", "rules", key]);
  if (arr === NA) return undefined;
  const out: string[] = [];
  for (const v of arr) if (Array.isArray(v)) out.push(...v.map(asString));
  return listOrNA(out);
}

/** Binding subjects of one kind that have both `kind` and `name`; with `withNs`, `namespace:name`. */
function subjects(raw: Json, kind: string, withNs: boolean): Extracted {
  const subs = get(raw, ["requestObject", "subjects"]);
  if (!Array.isArray(subs)) return undefined;
  const out: string[] = [];
  for (const s of subs) {
    const k = step(s, "kind");
    const name = step(s, "name");
    if (k === undefined || name === undefined || asString(k) !== kind) continue;
    if (!withNs) out.push(asString(name));
    else {
      const ns = step(s, "namespace");
      if (ns !== undefined) out.push(`${asString(ns)}:${asString(name)}`);
    }
  }
  return listOrNA(out);
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** Go's url unescaping; undefined when an escape is invalid. `plus`: query mode (`+` is a space). */
function urlUnescape(s: string, plus: boolean): string | undefined {
  if (!s.includes("%") && !(plus && s.includes("+"))) return s;
  const bytes: number[] = [];
  const utf8 = Buffer.from(s, "utf8");
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i]!;
    if (b === 0x25) {
      const h = utf8.subarray(i + 1, i + 3).toString("latin1");
      if (!HEX.test(h)) return undefined;
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else bytes.push(plus && b === 0x2b ? 0x20 : b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * `ka.uri.param[key]` the way the plugin reads it with Go's net/url: the request URI must parse (no
 * control characters, valid escapes in the path and fragment), and the whole query must parse too (no
 * `;` separators, valid escapes), else there is no value. The first value of `key` wins.
 */
function uriParam(raw: Json, key: string | undefined): Extracted {
  const uri = get(raw, ["requestURI"]);
  if (uri === undefined || key === undefined) return undefined;
  const s = asString(uri);
  if (/[\x00-\x1f\x7f]/.test(s)) return undefined;
  const hash = s.indexOf("#");
  const beforeFragment = hash < 0 ? s : s.slice(0, hash);
  if (hash >= 0 && urlUnescape(s.slice(hash + 1), false) === undefined) return undefined;
  const q = beforeFragment.indexOf("?");
  const path = q < 0 ? beforeFragment : beforeFragment.slice(0, q);
  if (!path.startsWith("/") && path.split("/")[0]!.includes(":")) return undefined;
  if (urlUnescape(path, false) === undefined) return undefined;
  if (q < 0) return undefined;
  let found: string | undefined;
  for (const piece of beforeFragment.slice(q + 1).split("&")) {
    if (piece === "") continue;
    if (piece.includes(";")) return undefined;
    const eq = piece.indexOf("=");
    const k = urlUnescape(eq < 0 ? piece : piece.slice(0, eq), true);
    const v = urlUnescape(eq < 0 ? "" : piece.slice(eq + 1), true);
    if (k === undefined || v === undefined) return undefined;
    if (found === undefined && k === key) found = v;
  }
  return found;
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

type KaExtract = (raw: Record<string, unknown>, arg: string | undefined) => Extracted;

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
    extract: (evt, arg) => (evt.raw.auditID === undefined ? undefined : fn(evt.raw, arg)),
    bind: (arg) => (evt) => (evt.raw.auditID === undefined ? undefined : fn(evt.raw, arg)),
  };
}
const keysField = (name: string, desc: string, ...keys: string[]) => {
  const path = pathGetter(keys);
  return ka(name, desc, (r) => {
    const v = path(r);
    return v === undefined ? undefined : asString(v);
  });
};
const listKeysField = (name: string, desc: string, ...keys: string[]) =>
  ka(name, desc, (r) => listFromKeys(r, keys), { list: true });
const annotationField = (name: string, desc: string, key: string) =>
  keysField(name, desc, "annotations", key);
const idx = { list: true, arg: "index" as const };

/** The per-container-list fields, generated for containers, initContainers and ephemeralContainers. */
function containerListFields(list: string): FieldDef<AuditEvent>[] {
  const p = `ka.req.pod.${list}`;
  const sc = (key: string) => (r: Json, a: string | undefined) =>
    containerValues(r, list, indexOf(a), ["securityContext", key]);
  return [
    ka(
      `${p}.name`,
      `${list} names`,
      (r, a) => listOrNA(allOrNothing(containerSlots(r, list, indexOf(a), ["name"]))),
      idx,
    ),
    ka(`${p}.image`, `${list} images`, (r, a) => listOrNA(images(r, list, indexOf(a))), idx),
    ka(
      `${p}.image.repository`,
      `${list} image repositories`,
      (r, a) => listOrNA(images(r, list, indexOf(a))?.map(repository)),
      idx,
    ),
    ka(
      `${p}.command`,
      `${list} commands, each joined by spaces`,
      (r, a) => joinedStrings(r, list, indexOf(a), "command"),
      idx,
    ),
    ka(
      `${p}.args`,
      `${list} args, each joined by spaces`,
      (r, a) => joinedStrings(r, list, indexOf(a), "args"),
      idx,
    ),
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
      `${list} added capabilities (each container's list as JSON)`,
      (r, a) => containerValues(r, list, indexOf(a), ["securityContext", "capabilities", "add"]),
      idx,
    ),
  ];
}

/** The json plugin's pointer walk: one leading `/` is optional, `~1` is `/` and `~0` is `~`. */
function pointerKeys(ptr: string): string[] {
  return (ptr.startsWith("/") ? ptr.slice(1) : ptr)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function bindPointer(ptr: string | undefined): (e: AuditEvent) => Extracted {
  // an empty pointer crashes the upstream plugin; here it has no value
  if (ptr === undefined || ptr === "") return () => undefined;
  const path = pathGetter(pointerKeys(ptr));
  return (e) => {
    const v = path(e.raw);
    return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
  };
}

/**
 * The event as the json plugin prints it: Go's json.Indent (two spaces, `": "`, empty `{}`/`[]` kept
 * on one line) over the event's compact JSON text, string escapes kept as written.
 */
function indentJson(text: string): string {
  let out = "";
  let depth = 0;
  let open = false;
  const newline = () => `\n${"  ".repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    if (open && c !== "}" && c !== "]") {
      out += newline();
      open = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "{" || c === "[") {
      out += c;
      depth++;
      open = true;
    } else if (c === "}" || c === "]") {
      depth--;
      out += open ? c : newline() + c;
      open = false;
    } else if (c === ",") out += `,${newline()}`;
    else if (c === ":") out += ": ";
    else out += c;
  }
  return out;
}

/** The event time in ns as a decimal string, exact to the ns of `stageTimestamp` (as the plugin sets it). */
function rawTime(e: AuditEvent): string {
  const ts = e.raw.stageTimestamp;
  if (typeof ts !== "string" || !readGoRfc3339(ts)) return BigInt(Math.round(e.tsNs)).toString();
  const { secs, nanos } = goTime;
  if (secs > 0) return `${secs}${nanos === 0 ? "000000000" : String(nanos).padStart(9, "0")}`;
  return (BigInt(secs) * 1_000_000_000n + BigInt(nanos)).toString();
}

/** The json plugin's fields: `json.*` and their `jevt.*` aliases, all strings. */
function jsonFields(prefix: string): FieldDef<AuditEvent>[] {
  return [
    {
      name: `${prefix}.value`,
      type: "string",
      arg: "required-key",
      desc: "the value at a JSON pointer (RFC 6901) into the event",
      extract: (e, a) => bindPointer(a)(e),
      bind: bindPointer,
    },
    {
      name: `${prefix}.obj`,
      type: "string",
      desc: "the whole event as indented JSON",
      extract: (e) => indentJson(e.text ?? JSON.stringify(e.raw)),
    },
    {
      name: `${prefix}.rawtime`,
      type: "string",
      desc: "event time, ns since the epoch",
      extract: rawTime,
    },
  ];
}

/** `ka.req.volume.hostpath[PATH]`: the plugin passes index 0 with a key argument, so only the first volume counts. */
function firstVolumeHostPath(r: Json, a: string | undefined): Extracted {
  const arr = valuesRecursive(r, 0, ["requestObject", "spec", "volumes", "hostPath", "path"]);
  if (arr === NA || a === undefined) return undefined;
  const prefix = a.endsWith("*") ? a.slice(0, -1) : undefined;
  for (const v of skipNil(arr)) if ((prefix !== undefined && v.startsWith(prefix)) || v === a) return "true";
  return "false";
}

const DEFS: FieldDef<AuditEvent>[] = [
  keysField("ka.auditid", "The unique id of the audit event", "auditID"),
  keysField("ka.stage", "Stage of the request", "stage"),
  annotationField("ka.auth.decision", "The authorization decision", "authorization.k8s.io/decision"),
  annotationField("ka.auth.reason", "The authorization reason", "authorization.k8s.io/reason"),
  annotationField(
    "ka.auth.openshift.decision",
    "OpenShift authentication decision",
    "authentication.openshift.io/decision",
  ),
  annotationField(
    "ka.validations.admission.policy.failure",
    "ValidatingAdmissionPolicy failure",
    "validation.policy.admission.k8s.io/validation_failure",
  ),
  annotationField(
    "ka.security.pod.violations",
    "Pod Security audit violations",
    "pod-security.kubernetes.io/audit-violations",
  ),
  annotationField(
    "ka.auth.openshift.username",
    "OpenShift authenticated user name",
    "authentication.openshift.io/username",
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
  ka("ka.target.pod.name", "The created pod's name (pods without a subresource)", (r) => {
    const str = (v: Json) => (typeof v === "string" ? v : "");
    if (str(get(r, ["objectRef", "resource"])) !== "pods") return undefined;
    if (str(get(r, ["objectRef", "subresource"])) !== "") return undefined;
    return fromKeys(r, ["responseObject", "metadata", "name"]);
  }),
  listKeysField("ka.req.binding.subjects", "The binding subjects", "requestObject", "subjects"),
  ka("ka.req.binding.subjects.user_names", "Subject user names", (r) => subjects(r, "User", false), {
    list: true,
  }),
  ka(
    "ka.req.binding.subjects.serviceaccount_names",
    "Subject service account names",
    (r) => subjects(r, "ServiceAccount", false),
    { list: true },
  ),
  ka(
    "ka.req.binding.subjects.serviceaccount_ns_names",
    "Subject namespace:serviceaccount",
    (r) => subjects(r, "ServiceAccount", true),
    { list: true },
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
    const arr = containerSlots(r, "containers", -1, ["securityContext", "privileged"]);
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
  keysField("ka.req.pod.fs_group", "Pod fsGroup", "requestObject", "spec", "securityContext", "fsGroup"),
  listKeysField(
    "ka.req.pod.supplemental_groups",
    "Pod supplementalGroups",
    "requestObject",
    "spec",
    "securityContext",
    "supplementalGroups",
  ),
  keysField("ka.req.service.type", "Service type", "requestObject", "spec", "type"),
  ka(
    "ka.req.service.ports",
    "Service ports (the ports array as JSON)",
    (r, a) => {
      const arr = valuesRecursive(r, indexOf(a), ["requestObject", "spec", "ports"]);
      return arr === NA ? undefined : listOrNA(skipNil(arr));
    },
    idx,
  ),
  ka(
    "ka.req.pod.volumes.hostpath",
    "hostPath paths",
    (r, a) => containerValues(r, "volumes", indexOf(a), ["hostPath", "path"]),
    idx,
  ),
  ka(
    "ka.req.volume.hostpath",
    "Deprecated: true if the first volume's hostPath is the path (a prefix when it ends with *)",
    firstVolumeHostPath,
    { arg: "required-key" },
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
  // upstream reads requestObject.rules[].sourceIPs, not the event's sourceIPs: kept as upstream has it
  ka(
    "ka.sourceips",
    "Client IP addresses (as upstream reads them)",
    (r, a) => rulesField(r, indexOf(a), "sourceIPs"),
    idx,
  ),
  annotationField("ka.cluster.name", "The cluster name (the cluster_name annotation)", "cluster_name"),
  ...containerListFields("initContainers"),
  ...containerListFields("ephemeralContainers"),
  ...jsonFields("json"),
  ...jsonFields("jevt"),
];

export const K8S_AUDIT_FIELDS: FieldTable<AuditEvent> = makeTable("k8s_audit", DEFS);
