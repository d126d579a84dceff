import type { PssLevel } from "./types.js";

/** Newest policy minor version this engine knows (v1.37): what "latest" resolves to. */
export const PSS_LATEST_MINOR = 37;
export const PSS_LATEST = `v1.${PSS_LATEST_MINOR}`;

export const PSS_LEVELS: readonly PssLevel[] = ["baseline", "restricted"];

/** A bad level or version given to the engine. `code` is stable: "pss-version", "pss-level" or "pss-input". */
export class PssError extends Error {
  constructor(
    message: string,
    readonly code: "pss-version" | "pss-level" | "pss-input",
  ) {
    super(message);
    this.name = "PssError";
  }
}

export interface PssVersion {
  /** Minor version after clamping to the newest known one (upstream clamps newer versions the same way). */
  minor: number;
  /** The resolved version, e.g. "v1.37" for "latest". */
  resolved: string;
  /** What the caller gave. */
  input: string;
}

const VERSION_RE = /^v1\.(0|[1-9][0-9]{0,3})$/;
const cache = new Map<string, PssVersion>();

/**
 * Parses a Pod Security policy version: "latest" or "v1.<minor>" (no leading zeros), as the
 * `pod-security.kubernetes.io/*-version` labels accept. Versions newer than the newest known one
 * evaluate as the newest known one, like upstream. Throws PssError code "pss-version" otherwise.
 */
export function parsePssVersion(s: string): PssVersion {
  const hit = cache.get(s);
  if (hit) return hit;
  if (typeof s !== "string") {
    throw new PssError(
      `Pod Security version must be a string like "v1.30" or "latest", got ${typeof s}`,
      "pss-version",
    );
  }
  let minor: number;
  if (s === "latest") {
    minor = PSS_LATEST_MINOR;
  } else {
    const m = VERSION_RE.exec(s);
    if (!m) {
      throw new PssError(
        `invalid Pod Security version ${JSON.stringify(s)}: expected "latest" or "v1.<minor>" (e.g. "v1.30")`,
        "pss-version",
      );
    }
    minor = Math.min(Number(m[1]), PSS_LATEST_MINOR);
  }
  const v: PssVersion = { minor, resolved: `v1.${minor}`, input: s };
  if (cache.size < 256) cache.set(s, v);
  return v;
}

/** Checks a level name; throws PssError code "pss-level" for anything but "baseline" or "restricted". */
export function parsePssLevel(s: string): PssLevel {
  if (s === "baseline" || s === "restricted") return s;
  throw new PssError(
    `invalid Pod Security level ${JSON.stringify(s)}: expected "baseline" or "restricted"`,
    "pss-level",
  );
}
