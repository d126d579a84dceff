// Raw reads from a Kubernetes API server with the TLS and credentials of a kubeconfig
// (@kubernetes/client-node's KubeConfig). Answers are parsed here as plain JSON, so fields newer
// than the client library's models reach the checks as the server sent them. Shared by the cluster
// audit (`scan cluster`) and the admission server's namespace dry run.
import { existsSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { TOOL_VERSION } from "./model.js";
import { isRecord } from "./object.js";

/** Where the credentials come from; nothing given means kubectl's default loading rules. */
export interface KubeConnectOptions {
  /** A kubeconfig file (kubectl --kubeconfig); default: $KUBECONFIG, ~/.kube/config, the pod's service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig (kubectl --context); default: its current-context. */
  context?: string;
}

export interface KubeRequestOptions {
  signal?: AbortSignal;
  /** Answers larger than this are refused (the body is not read further). */
  maxBytes?: number;
  /** Milliseconds for the whole request, answer included; 0: no limit. Default 60 s. */
  timeoutMs?: number;
}

/** The kubeconfig cannot be used: missing, unreadable, malformed, or without the asked context. */
export class KubeConfigError extends Error {}

/**
 * A request that failed. `code`: "http" (the server answered `status`), "unreachable" (no
 * connection, TLS failure), "timeout", "too-large", "bad-json", "bad-shape", "credentials"
 * (the kubeconfig's auth could not be applied, e.g. a failing exec plugin).
 */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly code:
      | "http"
      | "unreachable"
      | "timeout"
      | "too-large"
      | "bad-json"
      | "bad-shape"
      | "credentials",
    readonly path: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** 64 MiB: a page of 500 large objects fits many times over; a runaway answer does not fill memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** kubectl's page size for lists. */
export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_TIMEOUT_MS = 60_000;

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** A connection to one API server, as one kubeconfig context describes it. */
export class KubeApi {
  private constructor(
    private readonly kc: KubeConfig,
    /** The context's name ("inClusterContext" inside a pod). */
    readonly context: string,
    /** The server URL without a trailing slash. */
    readonly server: string,
  ) {}

  /** Loads the kubeconfig like kubectl does and selects the context; a bad kubeconfig is a KubeConfigError. */
  static async connect(opts: KubeConnectOptions = {}): Promise<KubeApi> {
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    const source = loadKubeConfig(kc, opts.kubeconfig);
    if (opts.context !== undefined) {
      if (!kc.getContextObject(opts.context))
        throw new KubeConfigError(`context "${opts.context}" is not in the kubeconfig (${source})`);
      kc.setCurrentContext(opts.context);
    }
    const context = kc.getCurrentContext();
    if (!context)
      throw new KubeConfigError(`the kubeconfig (${source}) has no current-context; give --context`);
    const ctx = kc.getContextObject(context);
    if (!ctx)
      throw new KubeConfigError(`current-context "${context}" is not defined in the kubeconfig (${source})`);
    const cluster = kc.getCluster(ctx.cluster);
    if (!cluster)
      throw new KubeConfigError(
        `context "${context}" names cluster "${ctx.cluster}", which the kubeconfig (${source}) does not define`,
      );
    if (!cluster.server)
      throw new KubeConfigError(
        `cluster "${ctx.cluster}" has no server address in the kubeconfig (${source})`,
      );
    let url: URL;
    try {
      url = new URL(cluster.server);
    } catch {
      throw new KubeConfigError(
        `cluster "${ctx.cluster}" has a malformed server address "${cluster.server}"`,
      );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new KubeConfigError(
        `cluster "${ctx.cluster}": server "${cluster.server}" is neither https nor http`,
      );
    return new KubeApi(kc, context, cluster.server.replace(/\/+$/, ""));
  }

  /** GET `path` (with its query) and return the body; any answer but 200 is a KubeApiError("http"). */
  async getText(path: string, opts: KubeRequestOptions = {}): Promise<string> {
    const url = new URL(`${this.server}${path}`);
    const options: RequestOptions = {
      method: "GET",
      headers: { accept: "application/json", "user-agent": `kubeward/${TOOL_VERSION}` },
    };
    try {
      // Per request: exec and token-file credentials may rotate during a long scan.
      await this.kc.applyToHTTPSOptions(options);
    } catch (err) {
      throw new KubeApiError(
        `cannot apply the kubeconfig's credentials: ${describe(err)}`,
        "credentials",
        path,
      );
    }
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const send = url.protocol === "http:" ? httpRequest : httpsRequest;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const fail = (err: KubeApiError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      // 0: no deadline (kubectl's --request-timeout=0).
      const timer =
        timeoutMs > 0
          ? setTimeout(
              () => fail(new KubeApiError(`no complete answer within ${timeoutMs / 1000}s`, "timeout", path)),
              timeoutMs,
            )
          : undefined;
      const req = send(url, { ...options, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
        readBody(res, maxBytes, path).then(
          (body) => {
            if (settled) return;
            if (res.statusCode !== 200) {
              fail(httpError(path, res.statusCode ?? 0, res.statusMessage, body));
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve(body);
          },
          (err: KubeApiError) => fail(err),
        );
      });
      req.on("error", (err) =>
        fail(
          opts.signal?.aborted
            ? new KubeApiError("request aborted", "timeout", path)
            : new KubeApiError(`cannot reach ${this.server}: ${describe(err)}`, "unreachable", path),
        ),
      );
      req.end();
    });
  }

  /** GET `path` and parse the JSON answer (an object). */
  async getJson(path: string, opts: KubeRequestOptions = {}): Promise<Record<string, unknown>> {
    const text = await this.getText(path, opts);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new KubeApiError(`the answer is not valid JSON (${describe(err)})`, "bad-json", path);
    }
    if (!isRecord(value)) throw new KubeApiError("the answer is not a JSON object", "bad-shape", path);
    return value;
  }
}

/** One page after another (limit/continue) until the list is complete. */
export interface ListOptions extends KubeRequestOptions {
  pageSize?: number;
}

export interface ListResult {
  /** Items with apiVersion and kind set: list answers leave them out of each item. */
  items: Record<string, unknown>[];
  /** The list's kind ("PodList"). */
  kind: string;
  apiVersion: string;
}

/**
 * Lists a collection (`/api/v1/pods`, `/apis/apps/v1/namespaces/x/deployments`) page by page.
 * A continue token that expired (410) restarts the list once without paging, as client-go's pager does.
 */
export async function listAll(api: KubeApi, path: string, opts: ListOptions = {}): Promise<ListResult> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const items: Record<string, unknown>[] = [];
  let token: string | undefined;
  let kind = "";
  let apiVersion = "";
  for (let page = 0; ; page++) {
    const query = new URLSearchParams();
    if (pageSize > 0) query.set("limit", String(pageSize));
    if (token) query.set("continue", token);
    let list: Record<string, unknown>;
    try {
      list = await api.getJson(query.size > 0 ? `${path}?${query}` : path, opts);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 410 && token)
        return listAll(api, path, { ...opts, pageSize: 0 });
      throw err;
    }
    if (!Array.isArray(list.items))
      throw new KubeApiError(`the answer is not a list (no "items" array)`, "bad-shape", path);
    kind = typeof list.kind === "string" ? list.kind : kind;
    apiVersion = typeof list.apiVersion === "string" ? list.apiVersion : apiVersion;
    const itemKind = kind.endsWith("List") ? kind.slice(0, -4) : "";
    for (const [i, item] of list.items.entries()) {
      if (!isRecord(item))
        throw new KubeApiError(`item ${items.length + i} of the list is not an object`, "bad-shape", path);
      // Items of a typed list carry no apiVersion/kind; the list's own name them.
      items.push({ apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? itemKind, ...item });
    }
    const meta = isRecord(list.metadata) ? list.metadata : {};
    token = typeof meta.continue === "string" && meta.continue !== "" ? meta.continue : undefined;
    if (!token || pageSize === 0) break;
    if (page > 100_000)
      throw new KubeApiError("the list does not end (over 100,000 pages)", "bad-shape", path);
  }
  return { items, kind, apiVersion };
}

/** kubectl's loading rules: --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the pod's service account. */
function loadKubeConfig(kc: KubeConfig, file: string | undefined): string {
  const wrap = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      throw new KubeConfigError(`cannot load kubeconfig ${what}: ${describe(err)}`);
    }
  };
  if (file !== undefined) {
    if (!existsSync(file)) throw new KubeConfigError(`cannot read kubeconfig "${file}": no such file`);
    wrap(`"${file}"`, () => kc.loadFromFile(file));
    return file;
  }
  const env = process.env.KUBECONFIG;
  if (env) {
    for (const f of env.split(process.platform === "win32" ? ";" : ":").filter(Boolean)) {
      if (!existsSync(f))
        throw new KubeConfigError(`cannot read kubeconfig "${f}" (named by KUBECONFIG): no such file`);
    }
    wrap(`from KUBECONFIG (${env})`, () => kc.loadFromDefault());
    return `KUBECONFIG=${env}`;
  }
  const home = join(process.env.HOME ?? homedir(), ".kube", "config");
  if (existsSync(home)) {
    wrap(`"${home}"`, () => kc.loadFromFile(home));
    return home;
  }
  if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
    if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT)
      throw new KubeConfigError(
        "a service account token is mounted but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set",
      );
    wrap("of the pod's service account", () => kc.loadFromCluster());
    return "in-cluster service account";
  }
  throw new KubeConfigError(
    "no kubeconfig: give --kubeconfig, set KUBECONFIG or create ~/.kube/config (or run in a pod with a service account)",
  );
}

/** Reads a body up to `maxBytes`; a larger one is refused without reading the rest. */
function readBody(res: IncomingMessage, maxBytes: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new KubeApiError(`the answer is over the ${maxBytes}-byte limit; not read`, "too-large", path);
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        res.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", (err) =>
      reject(new KubeApiError(`the answer broke off: ${describe(err)}`, "unreachable", path)),
    );
  });
}

/** "HTTP 403 Forbidden: <the server's Status message>". */
function httpError(path: string, status: number, statusText: string | undefined, body: string): KubeApiError {
  let detail = "";
  try {
    const s = JSON.parse(body) as unknown;
    if (isRecord(s) && typeof s.message === "string") detail = s.message;
  } catch {
    // not a Status object: the status line says enough
  }
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ""}${detail ? `: ${detail}` : ""}`;
  return new KubeApiError(text, "http", path, status);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
