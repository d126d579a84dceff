/**
 * Decoding of Kubernetes audit data: one JSON value per line (log backend) or one EventList body
 * (webhook backend). Accepts audit.k8s.io/v1 and v1beta1. Anything else is reported, never thrown.
 */
import type { AuditEvent } from "../fields/k8saudit.js";

export type DecodeResult =
  | { events: AuditEvent[]; error?: undefined }
  | { events: AuditEvent[]; error: string };

/** RFC 3339 (with up to 9 fractional digits) to ns since the epoch; undefined if unparsable. */
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?(?:Z|[+-]\d{2}:\d{2})$/;

export function parseTimeNs(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = TIME_RE.exec(v);
  if (!m) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse keeps milliseconds; add the sub-millisecond digits
  const frac = m[1];
  const sub = frac && frac.length > 3 ? Number(frac.slice(3, 9).padEnd(6, "0")) : 0;
  return ms * 1e6 + sub;
}

function toEvent(obj: Record<string, unknown>, nowNs: number, text: string | undefined): AuditEvent {
  const ts =
    parseTimeNs(obj.stageTimestamp) ??
    parseTimeNs(obj.timestamp) ??
    parseTimeNs(obj.requestReceivedTimestamp) ??
    nowNs;
  return { raw: obj, tsNs: ts, text };
}

/** Decode an already parsed JSON value (an Event or an EventList). */
export function decodeAuditValue(v: unknown, nowNs: number, text?: string): DecodeResult {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { events: [], error: "data not recognized as a k8s audit event" };
  }
  const obj = v as Record<string, unknown>;
  if (obj.kind === "EventList") {
    if (!Array.isArray(obj.items)) return { events: [], error: "EventList without an items array" };
    const events: AuditEvent[] = [];
    let bad = 0;
    for (const it of obj.items) {
      if (it && typeof it === "object" && !Array.isArray(it))
        events.push(toEvent(it as Record<string, unknown>, nowNs, undefined));
      else bad++;
    }
    return bad > 0
      ? { events, error: `${bad} EventList item(s) not recognized as k8s audit events` }
      : { events };
  }
  if (obj.kind === "Event") return { events: [toEvent(obj, nowNs, text)] };
  return { events: [], error: "data not recognized as a k8s audit event" };
}

/** Decode one line of an audit log file. Blank lines give no events and no error. */
export function decodeAuditLine(line: string, nowNs: number): DecodeResult {
  const c0 = line.charCodeAt(0);
  const t = c0 === 123 && line.charCodeAt(line.length - 1) === 125 ? line : line.trim();
  if (t === "") return { events: [] };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    return { events: [], error: `malformed JSON: ${(e as Error).message}` };
  }
  return decodeAuditValue(v, nowNs, t);
}
