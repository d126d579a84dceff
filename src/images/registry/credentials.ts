import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
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
        const v = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(v.Secret ? { Username: v.Username ?? "", Secret: v.Secret } : undefined);
      } catch {
        reject(
          new ImageError("credential-helper", `docker-credential-${helper} printed invalid JSON`, server),
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
  let cfg: DockerConfig;
  try {
    cfg = JSON.parse(readFileSync(file, "utf8")) as DockerConfig;
  } catch (err) {
    throw new ImageError("registry-auth", `invalid JSON: ${(err as Error).message}`, file);
  }
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
  if (entry.auth) {
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
