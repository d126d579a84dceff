// Predicate types cosign knows by short name (cosign's options.PredicateTypeMap), plus the ones
// kubeward produces; any other value must be a URI, as cosign requires.
import { SigningError } from "./errors.js";

export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: "https://cosign.sigstore.dev/attestation/v1",
  slsaprovenance: "https://slsa.dev/provenance/v0.2",
  slsaprovenance02: "https://slsa.dev/provenance/v0.2",
  slsaprovenance1: "https://slsa.dev/provenance/v1",
  spdx: "https://spdx.dev/Document",
  spdxjson: "https://spdx.dev/Document",
  cyclonedx: "https://cyclonedx.org/bom",
  link: "https://in-toto.io/Link/v1",
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  openvex: "https://openvex.dev/ns",
};

export function predicateTypeUri(t: string): string {
  const known = PREDICATE_TYPES[t];
  if (known) return known;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw new SigningError(
      "bad-predicate-type",
      `invalid predicate type (expected one of ${Object.keys(PREDICATE_TYPES).join("|")} or a URI)`,
      t,
    );
  }
  if (!u.protocol) throw new SigningError("bad-predicate-type", "invalid predicate type", t);
  return t;
}

export interface PredicateInput {
  /** Short name or URI. */
  type: string;
  /** The predicate file's bytes. */
  content: Buffer;
  /** Time for the custom wrapper and the vulnerability scan metadata (injected clock). */
  now: Date;
  what: string;
}

function asJson(content: Buffer, what: string): unknown {
  try {
    return JSON.parse(content.toString("utf8"));
  } catch (err) {
    throw new SigningError("bad-predicate", `predicate is not JSON (${(err as Error).message})`, what);
  }
}

/** A kubeward report (shared/spec/report-contract.md) wrapped in cosign's vulnerability predicate. */
function vulnPredicate(report: Record<string, unknown>, now: Date): unknown {
  const tool = (report.tool ?? {}) as { name?: string; version?: string };
  const scan = (report.scan ?? {}) as { startedAt?: string; durationMs?: number };
  const started = typeof scan.startedAt === "string" ? scan.startedAt : now.toISOString();
  const finished =
    typeof scan.startedAt === "string" && typeof scan.durationMs === "number"
      ? new Date(Date.parse(scan.startedAt) + scan.durationMs).toISOString()
      : now.toISOString();
  return {
    invocation: { parameters: null, uri: "", event_id: "", "builder.id": "" },
    scanner: {
      uri: `pkg:npm/${tool.name ?? "kubeward"}@${tool.version ?? ""}`,
      version: tool.version ?? "",
      db: { uri: "", version: "" },
      result: report,
    },
    metadata: { scanStartedOn: started, scanFinishedOn: finished },
  };
}

/** Builds the predicate object for a type, the way cosign attest reads a --predicate file. */
export function buildPredicate(input: PredicateInput): { predicateType: string; predicate: unknown } {
  const predicateType = predicateTypeUri(input.type);
  const t = input.type;
  if (t === "custom" || !PREDICATE_TYPES[t]) {
    // cosign wraps custom predicates: {"Data": <file text>, "Timestamp": RFC 3339}; a JSON object is kept as JSON.
    if (t !== "custom") return { predicateType, predicate: asJson(input.content, input.what) };
    return {
      predicateType,
      predicate: {
        Data: input.content.toString("utf8"),
        Timestamp: input.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
    };
  }
  if (t === "spdx") {
    const text = input.content.toString("utf8");
    try {
      return { predicateType, predicate: JSON.parse(text) };
    } catch {
      return { predicateType, predicate: text };
    }
  }
  const json = asJson(input.content, input.what);
  if (!json || typeof json !== "object" || Array.isArray(json))
    throw new SigningError("bad-predicate", "predicate must be a JSON object", input.what);
  const o = json as Record<string, unknown>;
  if (t === "cyclonedx" && o.bomFormat !== "CycloneDX")
    throw new SigningError(
      "bad-predicate",
      'a CycloneDX predicate needs "bomFormat": "CycloneDX"',
      input.what,
    );
  if (t === "spdxjson" && typeof o.spdxVersion !== "string")
    throw new SigningError("bad-predicate", 'an SPDX predicate needs "spdxVersion"', input.what);
  if (t === "vuln" && (o.tool as { name?: string })?.name === "kubeward" && Array.isArray(o.findings))
    return { predicateType, predicate: vulnPredicate(o, input.now) };
  if ((t === "slsaprovenance" || t === "slsaprovenance02") && !o.builder)
    throw new SigningError("bad-predicate", "an SLSA v0.2 provenance predicate needs a builder", input.what);
  if (t === "slsaprovenance1" && !o.buildDefinition)
    throw new SigningError(
      "bad-predicate",
      "an SLSA v1 provenance predicate needs a buildDefinition",
      input.what,
    );
  return { predicateType, predicate: json };
}
