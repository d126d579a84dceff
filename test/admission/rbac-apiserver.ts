// A loopback HTTPS endpoint answering the two reads `admission serve --kube` makes (GET a Namespace,
// LIST a namespace's pods) the way kube-apiserver does, and authorizing each one with RBAC's rule
// semantics against the ClusterRole rules it is given (bound to the token's service account), so a
// test proves the generated ClusterRole is enough. A denied request gets kube-apiserver's 403 Status.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTls } from "../../src/admission/tls.js";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** One request as RBAC sees it. */
export interface ApiCall {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace: string;
  name: string;
  allowed: boolean;
}

type Obj = Record<string, unknown>;

export interface FakeApi {
  port: number;
  caCert: string;
  kubeconfig: string;
  calls: ApiCall[];
  /** The rules in force (replace to test another role). */
  rules: PolicyRule[];
  namespaces: Record<string, Record<string, string>>;
  pods: Record<string, Obj[]>;
  /** Namespaces whose GET fails with a 500 (etcd trouble). */
  broken: Set<string>;
  close(): Promise<void>;
}

const has = (list: readonly string[], v: string) => list.includes("*") || list.includes(v);

/** RBAC's rule match for a resource request (no resourceNames here: the generated role uses none). */
export function rbacAllows(
  rules: readonly PolicyRule[],
  verb: string,
  apiGroup: string,
  resource: string,
): boolean {
  return rules.some((r) => has(r.verbs, verb) && has(r.apiGroups, apiGroup) && has(r.resources, resource));
}

/** The RBAC verb and resource of a core-group GET on /api/v1/... (list vs get as kube-apiserver decides). */
function attributes(path: string): Omit<ApiCall, "allowed"> | undefined {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] !== "api" || parts[1] !== "v1") return undefined;
  const rest = parts.slice(2).map(decodeURIComponent);
  if (rest[0] === "namespaces" && rest.length === 2)
    return { verb: "get", apiGroup: "", resource: "namespaces", namespace: rest[1]!, name: rest[1]! };
  if (rest[0] === "namespaces" && rest.length === 3)
    return { verb: "list", apiGroup: "", resource: rest[2]!, namespace: rest[1]!, name: "" };
  return undefined;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  });
}

export async function startFakeApi(opts: {
  rules: PolicyRule[];
  serviceAccount: string;
  namespaces?: Record<string, Record<string, string>>;
  pods?: Record<string, Obj[]>;
}): Promise<FakeApi> {
  const tls = generateTls(["localhost"]);
  const token = "kubeward-sa-token";
  const calls: ApiCall[] = [];
  const state = {
    rules: opts.rules,
    namespaces: opts.namespaces ?? {},
    pods: opts.pods ?? {},
    broken: new Set<string>(),
  };
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const json = (code: number, body: string) =>
      res.writeHead(code, { "content-type": "application/json" }).end(body);
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(401, status(401, "Unauthorized", "Unauthorized"));
    const url = new URL(req.url ?? "/", "https://localhost");
    const attrs = req.method === "GET" ? attributes(url.pathname) : undefined;
    if (!attrs) return json(404, status(404, "NotFound", "the server could not find the requested resource"));
    const allowed = rbacAllows(state.rules, attrs.verb, attrs.apiGroup, attrs.resource);
    calls.push({ ...attrs, allowed });
    if (!allowed) {
      const scope = attrs.verb === "get" ? "at the cluster scope" : `in the namespace "${attrs.namespace}"`;
      const what = attrs.name ? `${attrs.resource} "${attrs.name}"` : attrs.resource;
      return json(
        403,
        status(
          403,
          "Forbidden",
          `${what} is forbidden: User "${opts.serviceAccount}" cannot ${attrs.verb} resource "${attrs.resource}" in API group "" ${scope}`,
        ),
      );
    }
    if (attrs.resource === "namespaces") {
      if (state.broken.has(attrs.name))
        return json(500, status(500, "InternalError", "etcdserver: request timed out"));
      const labels = state.namespaces[attrs.name];
      if (!labels) return json(404, status(404, "NotFound", `namespaces "${attrs.name}" not found`));
      return json(
        200,
        JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: attrs.name, labels } }),
      );
    }
    const items = (state.pods[attrs.namespace] ?? []).map((p) => ({
      ...p,
      metadata: { ...(p.metadata as Obj), namespace: attrs.namespace },
    }));
    return json(
      200,
      JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "localhost", r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), "kw-adm-api-"));
  const kubeconfig = join(dir, "config");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://localhost:${port}", certificate-authority-data: ${Buffer.from(tls.caCert).toString("base64")} } }]
users: [{ name: sa, user: { token: ${token} } }]
contexts: [{ name: in-cluster, context: { cluster: c, user: sa } }]
current-context: in-cluster
`,
  );
  return {
    port,
    caCert: tls.caCert,
    kubeconfig,
    calls,
    get rules() {
      return state.rules;
    },
    set rules(r: PolicyRule[]) {
      state.rules = r;
    },
    namespaces: state.namespaces,
    pods: state.pods,
    broken: state.broken,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}
