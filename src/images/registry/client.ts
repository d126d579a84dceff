import { errorMessage, ImageError } from "../errors.js";
import {
  type CredentialSource,
  type Credentials,
  findCredentials,
  type HelperRunner,
  isHub,
} from "./credentials.js";

export interface RegistryOptions {
  username?: string;
  password?: string;
  /** Allow plain HTTP to a registry that is not on the loopback interface. */
  insecure?: boolean;
  fetch?: typeof fetch;
  dockerConfigDir?: string;
  runHelper?: HelperRunner;
  /** Attempts for transient failures (network errors, 429, 5xx). Default 4. */
  attempts?: number;
  sleep?(ms: number): Promise<void>;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header: `Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!))
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? "").replace(/\\(.)/g, "$1");
  return { scheme: m[1]!.toLowerCase(), params };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

export interface RequestInit2 {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | Uint8Array | string | null;
  /** Repository actions the token must grant ("pull", or "pull,push"). */
  actions?: string;
  /** Retry transient failures (not for streaming uploads). */
  retry?: boolean;
}

/** A client for one registry host speaking the Registry HTTP API v2 (distribution spec). */
export class RegistryClient {
  readonly host: string;
  private scheme: "https" | "http" | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly tokens = new Map<string, string>();
  private basic: string | undefined;
  private creds: Credentials | undefined | null = null;

  constructor(
    registry: string,
    private readonly opts: RegistryOptions = {},
  ) {
    this.host = isHub(registry) ? "registry-1.docker.io" : registry;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.registry = registry;
  }

  private readonly registry: string;

  private async credentials(): Promise<Credentials | undefined> {
    if (this.creds === null) {
      const src: CredentialSource = {
        ...(this.opts.username !== undefined ? { username: this.opts.username } : {}),
        ...(this.opts.password !== undefined ? { password: this.opts.password } : {}),
        ...(this.opts.dockerConfigDir ? { dockerConfigDir: this.opts.dockerConfigDir } : {}),
        ...(this.opts.runHelper ? { runHelper: this.opts.runHelper } : {}),
      };
      this.creds = await findCredentials(this.registry, src);
    }
    return this.creds;
  }

  private sleep(ms: number): Promise<void> {
    return this.opts.sleep ? this.opts.sleep(ms) : new Promise((r) => setTimeout(r, ms));
  }

  /** HTTPS always; plain HTTP only for loopback or --insecure, and only after HTTPS fails to connect. */
  private async baseUrl(): Promise<string> {
    if (this.scheme) return `${this.scheme}://${this.host}`;
    const mayHttp = isLoopback(this.host) || this.opts.insecure === true;
    try {
      await this.fetchFn(`https://${this.host}/v2/`, { method: "GET", signal: AbortSignal.timeout(15_000) });
      this.scheme = "https";
    } catch (err) {
      if (!mayHttp) {
        throw new ImageError(
          "network",
          `cannot reach https://${this.host}/v2/: ${causeOf(err)}`,
          this.registry,
        );
      }
      this.scheme = "http";
    }
    return `${this.scheme}://${this.host}`;
  }

  /** One request with retries of transient failures and the auth challenge flow (basic or bearer token). */
  async request(repo: string, path: string, init: RequestInit2 = {}): Promise<Response> {
    const base = await this.baseUrl();
    const url = path.startsWith("http") ? path : `${base}/v2/${repo}${path}`;
    const actions = init.actions ?? "pull";
    const attempts = init.retry === false ? 1 : (this.opts.attempts ?? 4);
    let authTried = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { ...init.headers };
      const token = this.tokens.get(`${repo}:${actions}`);
      if (token) headers.authorization = `Bearer ${token}`;
      else if (this.basic) headers.authorization = `Basic ${this.basic}`;
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method: init.method ?? "GET",
          headers,
          body: init.body ?? null,
          redirect: "follow",
        });
      } catch (err) {
        if (attempt >= attempts)
          throw new ImageError("network", `${init.method ?? "GET"} ${url}: ${causeOf(err)}`, this.registry);
        await this.sleep(backoff(attempt));
        continue;
      }
      if (res.status === 401 && !authTried) {
        authTried = true;
        await res.body?.cancel();
        await this.authenticate(res.headers.get("www-authenticate"), repo, actions);
        attempt--;
        continue;
      }
      if (TRANSIENT.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        const ra = Number(res.headers.get("retry-after"));
        await this.sleep(Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 30_000) : backoff(attempt));
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const detail = await errorBody(res);
        throw new ImageError("registry-auth", `${res.status} for ${url}${detail}`, this.registry);
      }
      return res;
    }
  }

  private async authenticate(header: string | null, repo: string, actions: string): Promise<void> {
    const ch = header ? parseChallenge(header) : undefined;
    const creds = await this.credentials();
    if (!ch) throw new ImageError("registry-auth", "401 without a WWW-Authenticate challenge", this.registry);
    if (ch.scheme === "basic") {
      if (!creds)
        throw new ImageError(
          "registry-auth",
          "registry wants a username and password (none found)",
          this.registry,
        );
      this.basic = Buffer.from(`${creds.username}:${creds.password}`).toString("base64");
      return;
    }
    if (ch.scheme !== "bearer" || !ch.params.realm) {
      throw new ImageError("registry-auth", `unsupported auth challenge "${header}"`, this.registry);
    }
    let realm: URL;
    try {
      realm = new URL(ch.params.realm);
    } catch {
      throw new ImageError("registry-auth", `token realm "${ch.params.realm}" is not a URL`, this.registry);
    }
    if (realm.protocol !== "https:" && realm.protocol !== "http:")
      throw new ImageError("registry-auth", `token realm ${realm.href} is not HTTP(S)`, this.registry);
    if (realm.protocol === "http:" && !isLoopback(realm.host) && !this.opts.insecure) {
      throw new ImageError("registry-insecure", `token realm ${realm.href} is plain HTTP`, this.registry);
    }
    if (ch.params.service) realm.searchParams.set("service", ch.params.service);
    realm.searchParams.set("scope", `repository:${repo}:${actions}`);
    const headers: Record<string, string> = {};
    if (creds)
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    let res: Response | undefined;
    for (let attempt = 1; attempt <= (this.opts.attempts ?? 4); attempt++) {
      try {
        res = await this.fetchFn(realm.href, { headers });
        if (!TRANSIENT.has(res.status)) break;
        await res.body?.cancel();
      } catch (err) {
        if (attempt >= (this.opts.attempts ?? 4))
          throw new ImageError("network", `token ${realm.href}: ${causeOf(err)}`, this.registry);
      }
      await this.sleep(backoff(attempt));
    }
    if (!res?.ok) {
      throw new ImageError(
        "registry-auth",
        `token server answered ${res?.status ?? "nothing"}${res ? await errorBody(res) : ""}`,
        this.registry,
      );
    }
    const text = (await readLimited(res, MAX_TOKEN_ANSWER, `token ${realm.href}`)).toString("utf8");
    let body: { token?: unknown; access_token?: unknown } | null;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new ImageError(
        "registry-auth",
        `token server ${realm.href} answered invalid JSON (${errorMessage(e)})`,
        this.registry,
      );
    }
    const token = body?.token ?? body?.access_token;
    if (!token || typeof token !== "string")
      throw new ImageError("registry-auth", `token server ${realm.href} returned no token`, this.registry);
    this.tokens.set(`${repo}:${actions}`, token);
  }
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** (attempt - 1), 5_000);
}

function causeOf(err: unknown): string {
  const c = (err as { cause?: unknown }).cause;
  return c ? errorMessage(c) : errorMessage(err);
}

/** A token answer is a few KB; more is refused rather than held. */
const MAX_TOKEN_ANSWER = 1 << 20;

/**
 * Reads a response body up to `max` bytes and stops reading there: a registry (or something posing
 * as one) may send a body without a length that never ends.
 */
export async function readLimited(res: Response, max: number, what: string): Promise<Buffer> {
  const len = Number(res.headers.get("content-length"));
  if (len > max) {
    await res.body?.cancel();
    throw new ImageError("file-too-large", `${len} bytes is more than ${max}`, what);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early cancels the stream (the iterator's return()).
  for await (const chunk of res.body ?? []) {
    total += chunk.length;
    if (total > max) break;
    chunks.push(Buffer.from(chunk));
  }
  if (total > max) throw new ImageError("file-too-large", `more than ${max} bytes`, what);
  return Buffer.concat(chunks);
}

/** The start of an error answer, read up to 64 KiB: enough for the registry's JSON errors. */
async function errorText(res: Response): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    chunks.push(Buffer.from(chunk));
    total += chunk.length;
    if (total >= 64 << 10) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function errorBody(res: Response): Promise<string> {
  try {
    const text = (await errorText(res)).slice(0, 500);
    const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    if (j.errors?.length) return `: ${j.errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`;
    return text ? `: ${text.trim()}` : "";
  } catch {
    return "";
  }
}
