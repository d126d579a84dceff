import type { Finding, ScanError } from "../../core/model.js";
import { isRecord } from "../../core/object.js";
import type { VulnerabilityInfo } from "../match/matcher.js";
import { parsePurl } from "../sbom/purl.js";

/** One OpenVEX statement, reduced to what suppression needs. */
export interface VexStatement {
  vulnerability: string[];
  products: string[];
  status: "not_affected" | "affected" | "fixed" | "under_investigation";
  justification?: string;
  impact?: string;
  timestamp: string;
  file: string;
}

export class VexError extends Error {
  constructor(
    readonly code: "vex-json" | "vex-format",
    message: string,
  ) {
    super(message);
  }
}

const STATUSES = new Set(["not_affected", "affected", "fixed", "under_investigation"]);

/** Parses an OpenVEX (v0.2.0) JSON document. Bad statements are reported in `errors` and skipped. */
export function parseOpenVex(text: string, file: string, errors: ScanError[]): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VexError("vex-json", `${file}: not JSON (${(e as Error).message})`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.statements))
    throw new VexError("vex-format", `${file}: not an OpenVEX document (no statements)`);
  const docTime = typeof doc.timestamp === "string" ? doc.timestamp : "";
  const out: VexStatement[] = [];
  for (const [i, s] of (doc.statements as unknown[]).entries()) {
    const bad = (m: string) => {
      errors.push({ file, message: `statements[${i}]: ${m}`, code: "vex-statement" });
    };
    if (!isRecord(s)) {
      bad("not an object");
      continue;
    }
    const v = s.vulnerability;
    const ids =
      typeof v === "string"
        ? [v]
        : isRecord(v)
          ? [v.name, v["@id"], ...(Array.isArray(v.aliases) ? v.aliases : [])].filter(
              (x): x is string => typeof x === "string",
            )
          : [];
    if (ids.length === 0) {
      bad("no vulnerability");
      continue;
    }
    if (typeof s.status !== "string" || !STATUSES.has(s.status)) {
      bad(`unknown status ${JSON.stringify(s.status)}`);
      continue;
    }
    const products: string[] = [];
    for (const p of Array.isArray(s.products) ? s.products : []) {
      if (typeof p === "string") products.push(p);
      else if (isRecord(p)) {
        const subs = Array.isArray(p.subcomponents) ? p.subcomponents : [];
        // With subcomponents, the statement is about those packages inside the product.
        if (subs.length > 0) {
          for (const sc of subs) if (isRecord(sc) && typeof sc["@id"] === "string") products.push(sc["@id"]);
        } else if (typeof p["@id"] === "string") products.push(p["@id"]);
      }
    }
    if (s.status === "not_affected" && !s.justification && !s.impact_statement) {
      bad("not_affected needs a justification or impact_statement");
      continue;
    }
    out.push({
      vulnerability: ids,
      products,
      status: s.status as VexStatement["status"],
      ...(typeof s.justification === "string" ? { justification: s.justification } : {}),
      ...(typeof s.impact_statement === "string" ? { impact: s.impact_statement } : {}),
      timestamp: typeof s.timestamp === "string" ? s.timestamp : docTime,
      file,
    });
  }
  return out;
}

/** Whether a statement's product names this package: same purl, or same package without version/qualifiers. */
function productMatches(product: string, purl: string | undefined): boolean {
  if (!purl) return false;
  if (product === purl) return true;
  const a = parsePurl(product);
  const b = parsePurl(purl);
  if (!a || !b) return false;
  if (a.type !== b.type || a.name !== b.name || (a.namespace ?? "") !== (b.namespace ?? "")) return false;
  return a.version === undefined || a.version === b.version;
}

/**
 * Marks findings that a VEX statement says are not_affected or fixed as suppressed (by "vex", with the
 * justification as reason). The newest matching statement wins; affected/under_investigation keep it.
 */
export function applyVex(findings: Finding[], statements: readonly VexStatement[]): void {
  for (const f of findings) {
    const v = f.vulnerability as VulnerabilityInfo | undefined;
    if (!v) continue;
    const ids = new Set([v.id, ...v.aliases]);
    const matching = statements
      .filter((s) => s.vulnerability.some((i) => ids.has(i)))
      .filter((s) => s.products.length === 0 || s.products.some((p) => productMatches(p, v.package.purl)))
      .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    const last = matching.at(-1);
    if (!last || (last.status !== "not_affected" && last.status !== "fixed")) continue;
    const why = last.justification ?? last.impact;
    f.suppressed = { by: "vex", reason: `${last.status}${why ? `: ${why}` : ""} (${last.file})` };
  }
}
