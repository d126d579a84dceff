/**
 * Decoding of Kubernetes audit data the way Falco's k8saudit plugin does it: one JSON value per line (log
 * backend) or per request body (webhook backend). A value is an Event, an EventList, or an array of them
 * (nested arrays too); an array with one unrecognized element is refused whole. Each event must carry a
 * `stageTimestamp` that Go's time.Parse(RFC3339Nano) reads, and its compact JSON must fit in
 * `maxEventSize` bytes; other events are skipped, each with its reason. Every stage is kept (rules
 * select stages themselves). Problems are returned, never thrown.
 */
import type { AuditEvent } from "../fields/k8saudit.js";
import { daysFromCivil } from "../time.js";

/** Why an input was skipped: a short stable code (a /metrics label) and a message naming the input. */
export interface SkipReason {
  kind: SkipKind;
  message: string;
}

export type SkipKind =
  | "malformed-json"
  | "not-audit-event"
  | "no-stage-timestamp"
  | "bad-stage-timestamp"
  | "event-too-large";

export interface DecodeResult {
  events: AuditEvent[];
  /** one entry per skipped payload or event (absent when nothing was skipped) */
  skipped?: SkipReason[];
}

/** The plugin's default `maxEventSize` (the plugin SDK's default event size), in bytes. */
export const MAX_EVENT_SIZE = 262_144;

export interface DecodeOptions {
  /** events whose compact JSON is larger are skipped, like the plugin's `maxEventSize` */
  maxEventSize?: number;
}

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

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigitAt = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};
/** The decimal number in s[from, to) when it is all digits and within [min, max], else -1. */
function uintIn(s: string, from: number, to: number, min: number, max: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (!isDigitAt(s, i)) return -1;
    n = n * 10 + s.charCodeAt(i) - 48;
  }
  return n >= min && n <= max ? n : -1;
}

/**
 * The result of the last successful `readGoRfc3339` (reused, not allocated per event: read it right
 * away): whole seconds since the epoch and the nanoseconds within the second.
 */
export const goTime = { secs: 0, nanos: 0 };

/**
 * Whether Go's time.Parse(time.RFC3339Nano, s) accepts `s`: `YYYY-MM-DDTHH:MM:SS` with a calendar-checked
 * date, an optional fraction (`.` or `,`, any number of digits, cut to 9), then `Z` or `±hh:mm`.
 * On success the time is in `goTime`.
 */
export function readGoRfc3339(s: string): boolean {
  if (s.length < 20) return false;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return false;
  const year = uintIn(s, 0, 4, 0, 9999);
  const month = uintIn(s, 5, 7, 1, 12);
  if (year < 0 || month < 0) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const day = uintIn(s, 8, 10, 1, month === 2 && leap ? 29 : DAYS[month - 1]!);
  const hour = uintIn(s, 11, 13, 0, 23);
  const minute = uintIn(s, 14, 16, 0, 59);
  const second = uintIn(s, 17, 19, 0, 59);
  if (day < 0 || hour < 0 || minute < 0 || second < 0) return false;
  let i = 19;
  let nanos = 0;
  const sep = s.charCodeAt(i);
  if ((sep === 46 || sep === 44) && isDigitAt(s, i + 1)) {
    let scale = 1e8;
    for (i++; isDigitAt(s, i); i++) {
      nanos += (s.charCodeAt(i) - 48) * scale;
      scale /= 10; // digits past the ninth add nothing (Go cuts them)
    }
    nanos = Math.floor(nanos);
  }
  let offset = 0;
  const zone = s.length - i;
  if (!(zone === 1 && s[i] === "Z")) {
    if (zone !== 6 || s[i + 3] !== ":" || (s[i] !== "+" && s[i] !== "-")) return false;
    const hh = uintIn(s, i + 1, i + 3, 0, 24);
    const mm = uintIn(s, i + 4, i + 6, 0, 60);
    if (hh < 0 || mm < 0) return false;
    offset = (s[i] === "+" ? 1 : -1) * (hh * 3600 + mm * 60);
  }
  goTime.secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  goTime.nanos = nanos;
  return true;
}

/** Bytes of `text` as compact JSON (whitespace outside strings removed), counted only when it may matter. */
function compactSize(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length; // a UTF-16 unit is at most 3 UTF-8 bytes
  const full = Buffer.byteLength(text, "utf8");
  if (full <= limit) return full;
  let blanks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
    } else if (c === 32 || c === 9 || c === 10 || c === 13) blanks++;
  }
  return full - blanks;
}

class Decoder {
  readonly events: AuditEvent[] = [];
  skipped: SkipReason[] | undefined;
  constructor(private readonly maxEventSize: number) {}

  skip(kind: SkipKind, message: string): false {
    if (!this.skipped) this.skipped = [];
    this.skipped.push({ kind, message });
    return false;
  }

  /** One parsed value and its JSON text; false when it is not audit data (the caller refuses it all). */
  value(v: unknown, text: string | undefined): boolean {
    if (Array.isArray(v)) {
      const texts = text === undefined ? undefined : elementTexts(text);
      for (let i = 0; i < v.length; i++) if (!this.value(v[i], texts?.[i])) return false;
      return true;
    }
    if (v === null || typeof v !== "object") return false;
    const obj = v as Record<string, unknown>;
    if (obj.kind === "Event") {
      this.event(obj, text);
      return true;
    }
    if (obj.kind === "EventList" && Array.isArray(obj.items)) {
      const texts = text === undefined ? undefined : itemTexts(text);
      for (let i = 0; i < obj.items.length; i++) this.event(obj.items[i], texts?.[i]);
      return true;
    }
    return false;
  }

  /** Take one event, or skip it with the reason (returns whether it was taken). */
  event(item: unknown, text: string | undefined): boolean {
    const ts =
      item !== null && typeof item === "object" && !Array.isArray(item)
        ? (item as Record<string, unknown>).stageTimestamp
        : undefined;
    if (ts === undefined) return this.skip("no-stage-timestamp", "event skipped: can't read stageTimestamp");
    if (typeof ts !== "string" || !readGoRfc3339(ts)) {
      const shown = typeof ts === "string" ? ts : JSON.stringify(ts);
      return this.skip(
        "bad-stage-timestamp",
        `event skipped: stageTimestamp ${JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}...` : shown)} is not an RFC 3339 time`,
      );
    }
    const raw = item as Record<string, unknown>;
    const size = compactSize(text ?? JSON.stringify(raw), this.maxEventSize);
    if (size > this.maxEventSize) {
      return this.skip("event-too-large", `event skipped: larger than maxEventSize (${size} bytes)`);
    }
    this.events.push({ raw, tsNs: goTime.secs * 1e9 + goTime.nanos, text });
    return true;
  }
}

/**
 * Start and end offsets of the elements of the array that starts at `from` (a `[`), in JSON text that is
 * known to be valid. Returns the offset after the closing `]` as `end`.
 */
function arrayElements(text: string, from: number): { spans: [number, number][]; end: number } {
  const spans: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let last = -1; // last non-blank offset of the current element
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 34) {
      if (depth === 1 && start < 0) start = i;
      i++;
      while (text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      last = i;
      continue;
    }
    if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) continue; // the array itself
      if (depth === 2 && start < 0) start = i;
    } else if (c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        if (start >= 0) spans.push([start, last + 1]);
        return { spans, end: i + 1 };
      }
    } else if (c === 44 && depth === 1) {
      spans.push([start, last + 1]);
      start = -1;
      continue;
    } else if (depth === 1 && start < 0) start = i;
    last = i;
  }
  return { spans, end: text.length };
}

/** The text of each element of a top-level JSON array. */
function elementTexts(text: string): string[] {
  return arrayElements(text, text.indexOf("[")).spans.map(([a, b]) => text.slice(a, b));
}

/**
 * The text of each item of an EventList, as the API server wrote it: the elements of the top-level
 * `items` member (the last one, as JSON.parse keeps the last of duplicate keys).
 */
function itemTexts(text: string): string[] | undefined {
  let found: [number, number][] | undefined;
  let i = text.indexOf("{") + 1;
  for (;;) {
    // at a member name (or the closing brace) of the top-level object
    while (i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 125) i++;
    if (i >= text.length || text.charCodeAt(i) === 125) break;
    let j = i + 1;
    while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
    const name = JSON.parse(text.slice(i, j + 1)) as string;
    i = text.indexOf(":", j + 1) + 1;
    while (" \t\n\r".includes(text[i]!)) i++;
    if (text.charCodeAt(i) === 91) {
      const { spans, end } = arrayElements(text, i);
      if (name === "items") found = spans;
      i = end;
    } else i = skipValue(text, i);
    while (i < text.length && text.charCodeAt(i) !== 44 && text.charCodeAt(i) !== 125) i++;
    if (text.charCodeAt(i) === 44) i++;
  }
  return found?.map(([a, b]) => text.slice(a, b));
}

/** The offset after the JSON value that starts at `i` (valid JSON). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) {
    let j = i + 1;
    while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
    return j + 1;
  }
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) {
        j++;
        while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !",}] \t\n\r".includes(text[j]!)) j++;
  return j;
}

const NOT_AUDIT: SkipReason = {
  kind: "not-audit-event",
  message: "data not recognized as a k8s audit event",
};

/**
 * Decode an already parsed JSON value (an Event, an EventList or an array of them). `text` is its JSON
 * text when known: each event keeps the exact text of its part for jevt.obj.
 */
export function decodeAuditValue(v: unknown, text?: string, opts: DecodeOptions = {}): DecodeResult {
  const d = new Decoder(opts.maxEventSize ?? MAX_EVENT_SIZE);
  if (!d.value(v, text)) return { events: [], skipped: [NOT_AUDIT] };
  return d.skipped ? { events: d.events, skipped: d.skipped } : { events: d.events };
}

/** Decode one line of an audit log file. Blank lines give no events and no error. */
export function decodeAuditLine(line: string, opts?: DecodeOptions): DecodeResult {
  const c0 = line.charCodeAt(0);
  const t = c0 === 123 && line.charCodeAt(line.length - 1) === 125 ? line : line.trim();
  if (t === "") return { events: [] };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    return {
      events: [],
      skipped: [{ kind: "malformed-json", message: `malformed JSON: ${(e as Error).message}` }],
    };
  }
  return decodeAuditValue(v, t, opts);
}
