/** CVSS v3.0 / v3.1 base score (FIRST specification, section 7). */
const W: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};
const PR_UNCHANGED: Record<string, number> = { N: 0.85, L: 0.62, H: 0.27 };
const PR_CHANGED: Record<string, number> = { N: 0.85, L: 0.68, H: 0.5 };
const REQUIRED = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];

/** v3.1 Roundup: the smallest one-decimal number ≥ x, computed on integers to dodge float error. */
function roundUp31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

function roundUp30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

export function parseMetrics(parts: string[], vector: string): Map<string, string> | undefined {
  const m = new Map<string, string>();
  for (const p of parts) {
    const [k, v, extra] = p.split(":");
    if (!k || !v || extra !== undefined || m.has(k)) return undefined;
    m.set(k, v);
  }
  void vector;
  return m;
}

export function cvss3BaseScore(vector: string): { version: string; score: number } | undefined {
  const parts = vector.trim().split("/");
  const head = /^CVSS:(3\.[01])$/.exec(parts[0] ?? "");
  if (!head) return undefined;
  const m = parseMetrics(parts.slice(1), vector);
  if (!m) return undefined;
  for (const k of REQUIRED) if (!m.has(k)) return undefined;
  const scope = m.get("S");
  if (scope !== "U" && scope !== "C") return undefined;
  const av = W.AV![m.get("AV")!];
  const ac = W.AC![m.get("AC")!];
  const ui = W.UI![m.get("UI")!];
  const pr = (scope === "C" ? PR_CHANGED : PR_UNCHANGED)[m.get("PR")!];
  const c = W.C![m.get("C")!];
  const i = W.I![m.get("I")!];
  const a = W.A![m.get("A")!];
  if ([av, ac, ui, pr, c, i, a].some((x) => x === undefined)) return undefined;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = scope === "U" ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av! * ac! * pr! * ui!;
  const roundUp = head[1] === "3.1" ? roundUp31 : roundUp30;
  let score = 0;
  if (impact > 0) {
    score =
      scope === "U"
        ? roundUp(Math.min(impact + exploitability, 10))
        : roundUp(Math.min(1.08 * (impact + exploitability), 10));
  }
  return { version: head[1]!, score };
}

/** CVSS v2 base score (FIRST CVSS v2 guide, section 3.2.1). Vectors have no prefix: "AV:N/AC:L/Au:N/C:P/I:P/A:P". */
export function cvss2BaseScore(vector: string): { version: string; score: number } | undefined {
  const text = vector
    .trim()
    .replace(/^\(|\)$/g, "")
    .replace(/^CVSS:2\.0\//, "");
  const m = parseMetrics(text.split("/"), vector);
  if (!m) return undefined;
  const AV: Record<string, number> = { L: 0.395, A: 0.646, N: 1.0 };
  const AC: Record<string, number> = { H: 0.35, M: 0.61, L: 0.71 };
  const AU: Record<string, number> = { M: 0.45, S: 0.56, N: 0.704 };
  const CIA: Record<string, number> = { N: 0, P: 0.275, C: 0.66 };
  const vals = [
    AV[m.get("AV") ?? ""],
    AC[m.get("AC") ?? ""],
    AU[m.get("Au") ?? ""],
    CIA[m.get("C") ?? ""],
    CIA[m.get("I") ?? ""],
    CIA[m.get("A") ?? ""],
  ];
  if (vals.some((x) => x === undefined)) return undefined;
  const [av, ac, au, c, i, a] = vals as number[];
  const impact = 10.41 * (1 - (1 - c!) * (1 - i!) * (1 - a!));
  const exploitability = 20 * av! * ac! * au!;
  const f = impact === 0 ? 0 : 1.176;
  const score = Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
  return { version: "2.0", score: Math.max(0, score) };
}
