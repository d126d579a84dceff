// A loopback HTTPS endpoint that answers the read side of the Kubernetes API the way kube-apiserver
// does: legacy discovery (/api, /apis, /api/v1, /apis/G, /apis/G/V), /version, list and get of the
// stored objects with limit/continue paging, list answers shaped as upstream (kind XList,
// metadata.resourceVersion/continue/remainingItemCount, items without apiVersion/kind), Status
// objects for 401/403/404/500, bearer-token and client-certificate authentication, and RBAC's rule
// semantics when given a ClusterRole's rules (each read recorded with its RBAC attributes, so a test
// proves a generated role is enough). Objects are stored as `kubectl apply` would leave them: server
// metadata (uid, resourceVersion, creationTimestamp) added and namespaced objects without a
// namespace placed in "default".
// No kube-apiserver can be installed here (not in Debian, not on npm); real kubectl talks to this.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { generateTls, issueCertificate } from "../../src/admission/tls.js";

/** Upstream's resource table for the kinds served here (group, version, plural, scope). */
export const API_RESOURCES = [
  { kind: "Namespace", group: "", version: "v1", plural: "namespaces", namespaced: false },
  { kind: "Pod", group: "", version: "v1", plural: "pods", namespaced: true },
  { kind: "PodTemplate", group: "", version: "v1", plural: "podtemplates", namespaced: true },
  {
    kind: "ReplicationController",
    group: "",
    version: "v1",
    plural: "replicationcontrollers",
    namespaced: true,
  },
  { kind: "Service", group: "", version: "v1", plural: "services", namespaced: true },
  { kind: "ServiceAccount", group: "", version: "v1", plural: "serviceaccounts", namespaced: true },
  { kind: "LimitRange", group: "", version: "v1", plural: "limitranges", namespaced: true },
  { kind: "ConfigMap", group: "", version: "v1", plural: "configmaps", namespaced: true },
  { kind: "Secret", group: "", version: "v1", plural: "secrets", namespaced: true },
  { kind: "Deployment", group: "apps", version: "v1", plural: "deployments", namespaced: true },
  { kind: "ReplicaSet", group: "apps", version: "v1", plural: "replicasets", namespaced: true },
  { kind: "StatefulSet", group: "apps", version: "v1", plural: "statefulsets", namespaced: true },
  { kind: "DaemonSet", group: "apps", version: "v1", plural: "daemonsets", namespaced: true },
  { kind: "Job", group: "batch", version: "v1", plural: "jobs", namespaced: true },
  { kind: "CronJob", group: "batch", version: "v1", plural: "cronjobs", namespaced: true },
  { kind: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses", namespaced: true },
  {
    kind: "NetworkPolicy",
    group: "networking.k8s.io",
    version: "v1",
    plural: "networkpolicies",
    namespaced: true,
  },
  { kind: "Role", group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", namespaced: true },
  {
    kind: "RoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "rolebindings",
    namespaced: true,
  },
  {
    kind: "ClusterRole",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterroles",
    namespaced: false,
  },
  {
    kind: "ClusterRoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  {
    kind: "PeerAuthentication",
    group: "security.istio.io",
    version: "v1",
    plural: "peerauthentications",
    namespaced: true,
  },
] as const;

type ApiResource = (typeof API_RESOURCES)[number];
type Obj = Record<string, unknown>;
type Meta = { name?: string; namespace?: string; uid?: string; [k: string]: unknown };

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** One resource request as RBAC sees it (kube-apiserver's RequestInfo) and whether it was allowed. */
export interface ApiCall {
  verb: string;
  apiGroup: string;
  resource: string;
  /** For a Namespace itself (/api/v1/namespaces/NAME) the namespace is its name, as upstream parses it. */
  namespace: string;
  name: string;
  allowed: boolean;
}

export interface ApiServerOptions {
  objects: Obj[];
  token?: string;
  /** The user the token and client certificate authenticate as, named in 403 messages. */
  user?: string;
  /** Rules of the ClusterRole bound to the user; without them every read is allowed. Replaceable later. */
  rules?: PolicyRule[];
  /**
   * Resources the user may not read: everywhere ("pods", "roles.rbac.authorization.k8s.io") or in one
   * namespace ("team-z/pods"): 403.
   */
  forbidden?: readonly string[];
  /** API groups this server does not serve (404), e.g. "security.istio.io". */
  absentGroups?: readonly string[];
  /** Namespaces whose GET fails with a 500, as when etcd times out. */
  brokenNamespaces?: readonly string[];
  /** Answers a request before the API does (broken, huge or slow answers). */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface ApiServer {
  url: string;
  token: string;
  /** Every request path (with query) in order. */
  requests: string[];
  /** Every authenticated resource request with its RBAC attributes, in order. */
  calls: ApiCall[];
  /** The rules in force (undefined: all allowed); replace to try another role. */
  rules: PolicyRule[] | undefined;
  /** Writes a kubeconfig for this server; `auth` token (default), client certificate, or a wrong token. */
  kubeconfig(
    dir: string,
    opts?: { auth?: "token" | "cert" | "bad-token"; context?: string; insecure?: boolean },
  ): string;
  close(): Promise<void>;
}

/** The uid the server gives an object: stable, so tests can build ownerReferences to it. */
export function uidOf(kind: string, namespace: string | undefined, name: string): string {
  const h = createHash("sha256")
    .update(`${kind}/${namespace ?? ""}/${name}`)
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The object as the server stores it (the shape `kubectl apply` leaves). */
export function stored(obj: Obj): Obj {
  const r = API_RESOURCES.find((x) => x.kind === obj.kind);
  if (!r) throw new Error(`the test API server does not serve kind ${String(obj.kind)}`);
  const meta = { ...((obj.metadata as Meta | undefined) ?? {}) };
  if (r.namespaced && !meta.namespace) meta.namespace = "default";
  if (!r.namespaced) delete meta.namespace;
  return { ...obj, metadata: meta };
}

const matches = (list: readonly string[], v: string) => list.includes("*") || list.includes(v);

/** RBAC's rule match for a resource request (no resourceNames: the roles tested use none). */
export function rbacAllows(
  rules: readonly PolicyRule[],
  verb: string,
  apiGroup: string,
  resource: string,
): boolean {
  return rules.some(
    (r) => matches(r.verbs, verb) && matches(r.apiGroups, apiGroup) && matches(r.resources, resource),
  );
}

/** A Status object as kube-apiserver sends it with an error code. */
export function statusBody(code: number, reason: string, message: string, details: Obj = {}): Obj {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    details,
    code,
  };
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const token = opts.token ?? "kw-test-token";
  const user = opts.user ?? "system:serviceaccount:kubeward:scanner";
  const tls = generateTls(["localhost"]);
  const client = issueCertificate(tls, "/O=system:masters/CN=kubeward-test", ["extendedKeyUsage=clientAuth"]);
  const forbidden = new Set(opts.forbidden ?? []);
  const broken = new Set(opts.brokenNamespaces ?? []);
  const absent = new Set(opts.absentGroups ?? []);
  const served = API_RESOURCES.filter((r) => !absent.has(r.group));
  // The store: objects per resource, sorted by namespace and name as etcd keys order them.
  const store = new Map<ApiResource, Obj[]>();
  let rv = 1000;
  for (const raw of opts.objects) {
    const obj = stored(raw);
    const r = API_RESOURCES.find((x) => x.kind === obj.kind)!;
    const meta = obj.metadata as Meta;
    rv++;
    Object.assign(meta, {
      uid: uidOf(String(obj.kind), meta.namespace, String(meta.name)),
      resourceVersion: String(rv),
      creationTimestamp: "2026-11-27T08:00:00Z",
    });
    const list = store.get(r) ?? [];
    list.push(obj);
    store.set(r, list);
  }
  const keyOf = (o: Obj) => `${(o.metadata as Meta).namespace ?? ""}/${(o.metadata as Meta).name}`;
  for (const list of store.values()) list.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const listRv = String(rv);

  const groupVersion = (r: ApiResource) => (r.group ? `${r.group}/${r.version}` : r.version);
  const resourceList = (gv: string) => ({
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: served
      .filter((r) => groupVersion(r) === gv)
      .map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ["get", "list"],
      })),
  });
  const groups = [...new Set(served.filter((r) => r.group).map((r) => r.group))].map((g) => {
    const version = served.find((r) => r.group === g)!.version;
    const gv = { groupVersion: `${g}/${version}`, version };
    return { name: g, versions: [gv], preferredVersion: gv };
  });

  const authenticated = (req: IncomingMessage): boolean => {
    if (req.headers.authorization === `Bearer ${token}`) return true;
    const socket = req.socket as TLSSocket;
    return req.headers.authorization === undefined && socket.authorized === true;
  };

  const server: Server = createServer(
    { cert: tls.cert, key: tls.key, ca: tls.caCert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      api.requests.push(req.url ?? "");
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      if (!authenticated(req)) return send(401, statusBody(401, "Unauthorized", "Unauthorized"));
      if (opts.intercept?.(req, res)) return;
      if (req.method !== "GET")
        return send(
          405,
          statusBody(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
          ),
        );
      const url = new URL(req.url ?? "/", "https://localhost");
      const notFound = () =>
        send(404, statusBody(404, "NotFound", "the server could not find the requested resource"));
      const p = url.pathname.replace(/\/+$/, "");
      if (p === "/version")
        return send(200, { major: "1", minor: "37", gitVersion: "v1.37.0", platform: "linux/amd64" });
      if (p === "/api")
        return send(200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
      if (p === "/apis") return send(200, { kind: "APIGroupList", apiVersion: "v1", groups });
      if (p === "/api/v1") return send(200, resourceList("v1"));
      const g = /^\/apis\/([^/]+)$/.exec(p);
      if (g) {
        const group = groups.find((x) => x.name === g[1]);
        return group ? send(200, { kind: "APIGroup", apiVersion: "v1", ...group }) : notFound();
      }
      const gvOnly = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
      if (gvOnly) {
        const list = resourceList(`${gvOnly[1]}/${gvOnly[2]}`);
        return list.resources.length > 0 ? send(200, list) : notFound();
      }
      const m =
        /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(p);
      if (!m) return notFound();
      const [, coreV, grp = "", grpV, namespace, plural, name] = m;
      const version = coreV ?? grpV;
      // "/api/v1/namespaces/NAME" parses as a get of the Namespace NAME.
      const res0 = served.find((r) => r.plural === plural && r.group === grp && r.version === version);
      const ns = namespace !== undefined ? decodeURIComponent(namespace) : undefined;
      const objName = name !== undefined ? decodeURIComponent(name) : undefined;
      if (!res0) return notFound();
      if (ns !== undefined && !res0.namespaced) return notFound();
      const resName = res0.group ? `${res0.plural}.${res0.group}` : res0.plural;
      const call: ApiCall = {
        verb: objName !== undefined ? "get" : "list",
        apiGroup: res0.group,
        resource: res0.plural,
        namespace: ns ?? (res0.plural === "namespaces" ? (objName ?? "") : ""),
        name: objName ?? "",
        allowed: true,
      };
      call.allowed =
        !forbidden.has(resName) &&
        !(call.namespace && forbidden.has(`${call.namespace}/${resName}`)) &&
        (api.rules === undefined || rbacAllows(api.rules, call.verb, call.apiGroup, call.resource));
      api.calls.push(call);
      if (!call.allowed) {
        const scope = call.namespace ? `in the namespace "${call.namespace}"` : "at the cluster scope";
        const what = objName !== undefined ? `${resName} "${objName}"` : resName;
        return send(
          403,
          statusBody(
            403,
            "Forbidden",
            `${what} is forbidden: User "${user}" cannot ${call.verb} resource "${res0.plural}" in API group "${res0.group}" ${scope}`,
            { ...(objName !== undefined && { name: objName }), group: res0.group, kind: res0.plural },
          ),
        );
      }
      if (res0.plural === "namespaces" && objName !== undefined && broken.has(objName))
        return send(500, statusBody(500, "InternalError", "etcdserver: request timed out"));
      const all = (store.get(res0) ?? []).filter(
        (o) => ns === undefined || (o.metadata as Meta).namespace === ns,
      );
      if (objName !== undefined) {
        const hit = all.find((o) => (o.metadata as Meta).name === objName);
        if (!hit)
          return send(
            404,
            statusBody(404, "NotFound", `${resName} "${objName}" not found`, {
              name: objName,
              group: res0.group,
              kind: res0.plural,
            }),
          );
        return send(200, { apiVersion: groupVersion(res0), kind: res0.kind, ...hit });
      }
      const limit = Number(url.searchParams.get("limit") ?? "0");
      const cont = url.searchParams.get("continue");
      let start = 0;
      if (cont) {
        try {
          const t = JSON.parse(Buffer.from(cont, "base64").toString("utf8")) as { rv: string; start: number };
          if (t.rv !== listRv || !Number.isInteger(t.start)) throw new Error("stale");
          start = t.start;
        } catch {
          return send(
            410,
            statusBody(
              410,
              "Expired",
              "The provided continue parameter is too old to display a consistent list result.",
            ),
          );
        }
      }
      const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
      const meta: Obj = { resourceVersion: listRv };
      if (end < all.length) {
        meta.continue = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: listRv, start: end })).toString(
          "base64",
        );
        meta.remainingItemCount = all.length - end;
      }
      // Items of a list answer carry no apiVersion/kind, as upstream encodes them.
      const items = all.slice(start, end).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
      return send(200, { kind: `${res0.kind}List`, apiVersion: groupVersion(res0), metadata: meta, items });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://localhost:${(server.address() as AddressInfo).port}`;
  const api: ApiServer = {
    url,
    token,
    requests: [],
    calls: [],
    rules: opts.rules,
    kubeconfig(dir, o = {}) {
      const auth = o.auth ?? "token";
      const b64 = (s: string) => Buffer.from(s).toString("base64");
      const credentials =
        auth === "cert"
          ? { "client-certificate-data": b64(client.cert), "client-key-data": b64(client.key) }
          : { token: auth === "bad-token" ? "wrong" : token };
      const cluster = o.insecure
        ? { server: url, "insecure-skip-tls-verify": true }
        : { server: url, "certificate-authority-data": b64(tls.caCert) };
      const context = o.context ?? "kw-test";
      const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test-cluster", cluster }],
        users: [{ name: "test-user", user: credentials }],
        contexts: [{ name: context, context: { cluster: "test-cluster", user: "test-user" } }],
        "current-context": context,
      };
      const file = join(dir, `kubeconfig-${context}-${auth}${o.insecure ? "-insecure" : ""}`);
      writeFileSync(file, JSON.stringify(config, null, 2));
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
