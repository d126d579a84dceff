import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readRegularFile } from "../../core/files.js";
import { ImageError } from "../errors.js";

export interface Credentials {
  username: string;
  password: string;
}

/** Runs `docker-credential-HELPER get` with the server on stdin (the Docker credential helper protocol). */
export type HelperRunner = (
  helper: string,
  server: string,
) => Promise<{ Username: string; Secret: string } | undefined>;

export const runCredentialHelper: HelperRunner = (helper, server) =>
  new Promise((resolve, reject) => {
    // The helper name comes from a config file: it names a program on $PATH, never a path.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(helper)) {
      reject(new ImageError("credential-helper", `invalid credential helper name "${helper}"`, server));
      return;
    }
    const child = execFile(`docker-credential-${helper}`, ["get"], { timeout: 30_000 }, (err, stdout) => {
      if (err) {
        // Helpers print "credentials not found in native keychain" and exit 1 when they know nothing.
        if (/not found/i.test(String(stdout)) || /not found/i.test(err.message)) return resolve(undefined);
        return reject(
          new ImageError("credential-helper", `docker-credential-${helper}: ${err.message}`, server),
        );
      }
      try {
        const v = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown } | null;
        if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
        if (v.Secret !== undefined && typeof v.Secret !== "string") throw new Error("Secret is not a string");
        if (v.Username !== undefined && typeof v.Username !== "string")
          throw new Error("Username is not a string");
        resolve(
          v.Secret ? { Username: (v.Username as string | undefined) ?? "", Secret: v.Secret } : undefined,
        );
      } catch (e) {
        reject(
          new ImageError(
            "credential-helper",
            `docker-credential-${helper} printed invalid JSON (${(e as Error).message})`,
            server,
          ),
        );
      }
    });
    child.stdin?.end(server);
  });

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];

/** Strips scheme and path from a config.json key: "https://host:5000/v1/" → "host:5000". */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
}

export function isHub(registry: string): boolean {
  return HUB_KEYS.includes(registry);
}

export interface CredentialSource {
  dockerConfigDir?: string;
  username?: string;
  password?: string;
  runHelper?: HelperRunner;
}

/** Largest docker config.json read: a real one is a few kilobytes. */
const MAX_DOCKER_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads config.json, checking the shape of the parts used here so that a hand-edited file fails with
 * the field at fault rather than a TypeError (`"auths": {"host": null}`, `"auth": 5`).
 */
function readDockerConfig(file: string): DockerConfig {
  const bad = (what: string) => new ImageError("registry-auth", what, file);
  let text: string;
  try {
    text = readRegularFile(file, MAX_DOCKER_CONFIG_BYTES).toString("utf8");
  } catch (err) {
    throw bad((err as Error).message);
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (err) {
    throw bad(`invalid JSON: ${(err as Error).message}`);
  }
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(cfg)) throw bad("not a JSON object");
  if (cfg.credsStore !== undefined && typeof cfg.credsStore !== "string")
    throw bad("credsStore must be a string");
  if (cfg.credHelpers !== undefined) {
    if (!isMap(cfg.credHelpers)) throw bad("credHelpers must be an object");
    for (const [k, v] of Object.entries(cfg.credHelpers))
      if (typeof v !== "string") throw bad(`credHelpers["${k}"] must be a string`);
  }
  if (cfg.auths !== undefined) {
    if (!isMap(cfg.auths)) throw bad("auths must be an object");
    for (const [k, v] of Object.entries(cfg.auths)) {
      if (!isMap(v)) throw bad(`auths["${k}"] must be an object`);
      for (const f of ["auth", "username", "password", "identitytoken"])
        if (v[f] !== undefined && typeof v[f] !== "string") throw bad(`auths["${k}"].${f} must be a string`);
    }
  }
  return cfg as DockerConfig;
}

/**
 * Finds credentials for a registry the way the Docker CLI does: explicit --username/--password, then
 * credHelpers[registry], then credsStore, then auths in ~/.docker/config.json ($DOCKER_CONFIG).
 */
export async function findCredentials(
  registry: string,
  src: CredentialSource = {},
): Promise<Credentials | undefined> {
  if (src.username !== undefined || src.password !== undefined) {
    return { username: src.username ?? "", password: src.password ?? "" };
  }
  const dir = src.dockerConfigDir ?? process.env.DOCKER_CONFIG ?? join(homedir(), ".docker");
  const file = join(dir, "config.json");
  if (!existsSync(file)) return undefined;
  const cfg = readDockerConfig(file);
  const hub = isHub(registry);
  const matches = (key: string) =>
    hub ? HUB_KEYS.includes(key) || HUB_KEYS.includes(hostOfKey(key)) : hostOfKey(key) === registry;
  const server = hub ? "https://index.docker.io/v1/" : registry;
  const run = src.runHelper ?? runCredentialHelper;
  const helperKey = Object.keys(cfg.credHelpers ?? {}).find(matches);
  const helper = helperKey ? cfg.credHelpers![helperKey] : cfg.credsStore;
  if (helper) {
    const got = await run(helper, server);
    if (got) return { username: got.Username, password: got.Secret };
    if (helperKey) return undefined;
  }
  const authKey = Object.keys(cfg.auths ?? {}).find(matches);
  const entry = authKey ? cfg.auths![authKey] : undefined;
  if (!entry) return undefined;
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw new ImageError("registry-auth", `auths["${authKey}"].auth is not base64 of user:password`, file);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? "" };
  if (entry.identitytoken) return { username: "<token>", password: entry.identitytoken };
  return undefined;
}
