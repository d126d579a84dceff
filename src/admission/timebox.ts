// Time boxes for calls that reach the network (registries, scanners): the caller gets "timeout"
// after `ms` and the callee's AbortSignal fires; a late result is dropped by the caller.

export function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T | "timeout"> {
  const ac = new AbortController();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ac.abort();
      resolve("timeout");
    }, ms);
    let pending: Promise<T>;
    try {
      pending = run(ac.signal);
    } catch (err) {
      // A callee that throws before returning its promise must not leave the timer running.
      clearTimeout(timer);
      reject(err);
      return;
    }
    Promise.resolve(pending).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Time allowed to verify an image's signatures: under the webhook's 5 s timeout. */
export const SIGNATURE_TIMEOUT_MS = 4000;

/** Nanoseconds per unit of a Go duration ("µs" is U+00B5 MICRO SIGN, "μs" U+03BC GREEK SMALL LETTER MU). */
const GO_DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const GO_DURATION_PART = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * A Go duration ("5s", "1m30s", "1.5h", "-2ms", "0") in milliseconds, with Go's time.ParseDuration
 * rules: optional sign, then one or more number+unit pairs (a number needs a digit before or after
 * its point, every number needs a unit, "0" alone needs none), within int64 nanoseconds (~292
 * years; counted exactly). Undefined otherwise.
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s.startsWith("-");
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  const limit = negative ? 2n ** 63n : 2n ** 63n - 1n;
  let ns = 0n;
  while (s !== "") {
    const [whole, int = "", frac, unit = ""] = GO_DURATION_PART.exec(s)!;
    if (int === "" && !frac) return undefined;
    const perUnit = GO_DURATION_UNITS[unit];
    if (perUnit === undefined) return undefined;
    ns += BigInt(int || "0") * perUnit;
    // Go adds the fraction's share of the unit, truncated to whole nanoseconds.
    if (frac) ns += BigInt(Math.trunc(Number(`0.${frac}`) * Number(perUnit)));
    if (ns > limit) return undefined;
    s = s.slice(whole.length);
  }
  return (negative ? -Number(ns) : Number(ns)) / 1e6;
}
