/**
 * Rule output formats (`... user=%ka.user.name cmd=%proc.cmdline ...`) compiled once into a list of
 * literal parts and field getters, and the Falco alert record (JSON line or text line).
 */
import { cachedGetter, type EvalCtx, type Getter, type SlotRegistry } from "./condition/compile.js";
import { RuntimeError } from "./errors.js";
import type { FieldTable } from "./fields/types.js";
import { isoSecondsParts } from "./time.js";

export const PRIORITIES = [
  "Emergency",
  "Alert",
  "Critical",
  "Error",
  "Warning",
  "Notice",
  "Informational",
  "Debug",
] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Parse a rule priority like Falco does (case-insensitive, `info` is Informational). */
export function parsePriority(raw: string): Priority | undefined {
  const low = raw.trim().toLowerCase();
  if (low === "info") return "Informational";
  return PRIORITIES.find((p) => p.toLowerCase() === low);
}

/** 0 = Emergency ... 7 = Debug */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

export interface OutputFormat<E> {
  /** renders the text; fills `fields` (which may already hold other keys) */
  render(c: EvalCtx<E>, fields: Record<string, unknown>): string;
  fields: string[];
}

const TOKEN = /%(\(?)([a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+)(?:\[([^\]]*)\])?(\)?)/y;

/** Compile an output format; unknown fields throw RuntimeError code `output-format`. */
export function compileOutput<E>(fmt: string, table: FieldTable<E>, slots: SlotRegistry): OutputFormat<E> {
  const parts: (string | { name: string; get: Getter<E> })[] = [];
  let lit = "";
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i]!;
    if (ch !== "%") {
      lit += ch;
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(fmt);
    if (!m) {
      lit += ch;
      i++;
      continue;
    }
    const [whole, open, name, arg, close] = m as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    // %container.info was historically expanded to the container id and name; it prints nothing now
    if (name === "container.info") {
      i += whole.length - (open === "" && close === ")" ? 1 : 0);
      continue;
    }
    const found = table.lookup(name);
    if (!found)
      throw new RuntimeError("output-format", `invalid formatting token %${name}: nonexistent field ${name}`);
    const a = arg ?? found.arg;
    const display = arg !== undefined ? `${name}[${arg}]` : name;
    const extract = found.def.extract;
    const get: Getter<E> = extract ? cachedGetter(found.def, extract, a, slots, display) : () => undefined;
    if (lit) parts.push(lit);
    lit = "";
    parts.push({ name: display, get });
    // a ")" that belongs to the surrounding text is kept as text
    const consumed = open === "" && close === ")" ? whole.length - 1 : whole.length;
    i += consumed;
  }
  if (lit) parts.push(lit);
  const fieldNames = parts.filter((p) => typeof p !== "string").map((p) => (p as { name: string }).name);
  return {
    fields: fieldNames,
    render(c, fields) {
      let text = "";
      for (const p of parts) {
        if (typeof p === "string") text += p;
        else {
          const v = p.get(c);
          text += v === undefined ? "<NA>" : typeof v === "object" ? `(${v.join(",")})` : v;
          fields[p.name] = v === undefined ? null : v;
        }
      }
      return text;
    },
  };
}

/** One alert, in Falco's JSON output shape. */
export interface Alert {
  time: string;
  rule: string;
  priority: Priority;
  output: string;
  output_fields: Record<string, unknown>;
  source: string;
  tags: string[];
  hostname: string;
}

/**
 * ns since epoch -> RFC 3339 with 9 fractional digits, like Falco's `time` key. A double holds ns since
 * the epoch only to about 0.25 us, so times are kept to the microsecond (the last three digits are 0).
 */
export function isoNs(tsNs: number): string {
  return alertTimes(tsNs).time;
}

/** An event time as the alert's `time` and as the clock (`HH:MM:SS.fffffffff`) that starts its output. */
export function alertTimes(tsNs: number): { time: string; clock: string } {
  const us = Math.round(tsNs / 1000);
  const sec = Math.floor(us / 1e6);
  const frac = String(us - sec * 1e6).padStart(6, "0");
  const { date, hms } = isoSecondsParts(sec);
  const clock = `${hms}.${frac}000`;
  return { time: `${date}T${clock}Z`, clock };
}

export function alertToJson(a: Alert): string {
  return JSON.stringify(a);
}

export function alertToText(a: Alert): string {
  return a.output;
}
