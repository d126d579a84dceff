import { DEPTHS, MACRO_SCORES, MAX_VECTORS } from "./v4-tables.js";

/**
 * CVSS v4.0 base score (CVSS-B): the vector's MacroVector score, lowered by the mean proportional
 * distance to the next lower MacroVector in each equivalence set (FIRST CVSS v4.0 specification §8).
 * Threat and environmental metrics in the vector are ignored: this is the base score.
 */
const VALUES: Record<string, string[]> = {
  AV: ["N", "A", "L", "P"],
  AC: ["L", "H"],
  AT: ["N", "P"],
  PR: ["N", "L", "H"],
  UI: ["N", "P", "A"],
  VC: ["H", "L", "N"],
  VI: ["H", "L", "N"],
  VA: ["H", "L", "N"],
  SC: ["H", "L", "N"],
  SI: ["H", "L", "N"],
  SA: ["H", "L", "N"],
};
const OPTIONAL = new Set([
  "E",
  "CR",
  "IR",
  "AR",
  "MAV",
  "MAC",
  "MAT",
  "MPR",
  "MUI",
  "MVC",
  "MVI",
  "MVA",
  "MSC",
  "MSI",
  "MSA",
  "S",
  "AU",
  "R",
  "V",
  "RE",
  "U",
]);

/** Severity step of a metric value: 0 is the most severe (SC starts at 1, where SI/SA have S). */
const LEVEL: Record<string, Record<string, number>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 },
  PR: { N: 0, L: 1, H: 2 },
  UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 },
  AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 },
  VI: { H: 0, L: 1, N: 2 },
  VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 },
  SI: { S: 0, H: 1, L: 2, N: 3 },
  SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 },
  IR: { H: 0, M: 1, L: 2 },
  AR: { H: 0, M: 1, L: 2 },
};

function parse(vector: string): Record<string, string> | undefined {
  const parts = vector.trim().split("/");
  if (parts[0] !== "CVSS:4.0") return undefined;
  const m: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const [k, v, extra] = p.split(":");
    if (!k || !v || extra !== undefined || k in m) return undefined;
    if (VALUES[k]) {
      if (!VALUES[k].includes(v)) return undefined;
    } else if (!OPTIONAL.has(k)) return undefined;
    m[k] = v;
  }
  for (const k of Object.keys(VALUES)) if (!m[k]) return undefined;
  // Base score: threat and environmental metrics take their "not defined" values.
  return {
    ...Object.fromEntries(Object.keys(VALUES).map((k) => [k, m[k]!])),
    E: "A",
    CR: "H",
    IR: "H",
    AR: "H",
  };
}

function macroVector(m: Record<string, string>): [number, number, number, number, number, number] {
  const eq1 =
    m.AV === "N" && m.PR === "N" && m.UI === "N"
      ? 0
      : (m.AV === "N" || m.PR === "N" || m.UI === "N") && m.AV !== "P"
        ? 1
        : 2;
  const eq2 = m.AC === "L" && m.AT === "N" ? 0 : 1;
  const eq3 = m.VC === "H" && m.VI === "H" ? 0 : m.VC === "H" || m.VI === "H" || m.VA === "H" ? 1 : 2;
  const eq4 = m.SI === "S" || m.SA === "S" ? 0 : m.SC === "H" || m.SI === "H" || m.SA === "H" ? 1 : 2;
  const eq5 = m.E === "A" ? 0 : m.E === "P" ? 1 : 2;
  const eq6 =
    (m.CR === "H" && m.VC === "H") || (m.IR === "H" && m.VI === "H") || (m.AR === "H" && m.VA === "H")
      ? 0
      : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

const key = (e: readonly number[]) => e.join("");

function metricsOf(partial: string): Record<string, string> {
  return Object.fromEntries(partial.split("/").map((p) => p.split(":") as [string, string]));
}

export function cvss4BaseScore(vector: string): { version: string; score: number } | undefined {
  const m = parse(vector);
  if (!m) return undefined;
  if (["VC", "VI", "VA", "SC", "SI", "SA"].every((k) => m[k] === "N")) return { version: "4.0", score: 0 };
  const eq = macroVector(m);
  const [e1, e2, e3, e4, , e6] = eq;
  const value = MACRO_SCORES.get(key(eq))!;
  const lower = (d: number[]) => MACRO_SCORES.get(key(eq.map((x, i) => x + d[i]!)));
  // The next lower MacroVector of each equivalence set (EQ3 and EQ6 move together).
  const next1 = lower([1, 0, 0, 0, 0, 0]);
  const next2 = lower([0, 1, 0, 0, 0, 0]);
  let next36: number | undefined;
  if (e3 === 0 && e6 === 0) {
    const a = lower([0, 0, 0, 0, 0, 1]);
    const b = lower([0, 0, 1, 0, 0, 0]);
    next36 = a === undefined ? b : b === undefined ? a : Math.max(a, b);
  } else if (e3 === 1 && e6 === 0) next36 = lower([0, 0, 0, 0, 0, 1]);
  else if (e6 === 1 && e3 < 2) next36 = lower([0, 0, 1, 0, 0, 0]);
  else next36 = lower([0, 0, 1, 0, 0, 1]);
  const next4 = lower([0, 0, 0, 1, 0, 0]);
  const next5 = lower([0, 0, 0, 0, 1, 0]);

  // The highest-severity vector of this MacroVector that the scored vector is no more severe than.
  let dist: Record<string, number> | undefined;
  for (const a of MAX_VECTORS.eq1[e1]!)
    for (const b of MAX_VECTORS.eq2[e2]!)
      for (const c of MAX_VECTORS.eq3eq6[e3]![e6]!)
        for (const d of MAX_VECTORS.eq4[e4]!) {
          if (dist) break;
          const max = metricsOf(`${a}/${b}/${c}/${d}`);
          const candidate: Record<string, number> = {};
          let ok = true;
          for (const k of Object.keys(LEVEL)) {
            const diff = LEVEL[k]![m[k]!]! - LEVEL[k]![max[k]!]!;
            if (diff < 0) ok = false;
            candidate[k] = diff;
          }
          if (ok) dist = candidate;
        }
  dist ??= Object.fromEntries(Object.keys(LEVEL).map((k) => [k, 0]));
  const d1 = dist.AV! + dist.PR! + dist.UI!;
  const d2 = dist.AC! + dist.AT!;
  const d36 = dist.VC! + dist.VI! + dist.VA! + dist.CR! + dist.IR! + dist.AR!;
  const d4 = dist.SC! + dist.SI! + dist.SA!;

  let sum = 0;
  let n = 0;
  const part = (next: number | undefined, distance: number, depth: number) => {
    if (next === undefined) return;
    n++;
    sum += depth > 0 ? (value - next) * (distance / depth) : 0;
  };
  part(next1, d1, DEPTHS.eq1[e1]!);
  part(next2, d2, DEPTHS.eq2[e2]!);
  part(next36, d36, DEPTHS.eq3eq6[e3]![e6]!);
  part(next4, d4, DEPTHS.eq4[e4]!);
  part(next5, 0, 1); // EQ5 (exploit maturity) has no depth inside a MacroVector
  let score = value - (n > 0 ? sum / n : 0);
  score = Math.min(10, Math.max(0, score));
  // Round half up; the small lift guards against x.x5 landing one ulp low after the arithmetic above.
  return { version: "4.0", score: Math.round((score + 1e-6) * 10) / 10 };
}
