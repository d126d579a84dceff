// Command-line parsing the way Kubernetes components (spf13/pflag) read their flags.

/** Effective flags of one process: name (with leading dashes) → every value given, in order. */
export type FlagMap = Map<string, string[]>;

/** Splits /proc/PID/cmdline (NUL-separated) into argv. */
export function splitCmdline(raw: string): string[] {
  const parts = raw.split("\0");
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Removes one level of matching quotes, as a shell or systemd would, from a flag value. */
export function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}

/**
 * Parses arguments into a FlagMap. Accepts `--flag=value`, `--flag value`, a bare
 * boolean `--flag` (value "true"), single-dash long flags (`-v=2`, which pflag
 * rejects for long names but some distributions' wrappers pass), and stops at `--`.
 * Positional arguments are ignored.
 */
export function parseFlags(args: readonly string[]): FlagMap {
  const out: FlagMap = new Map();
  const add = (name: string, value: string) => {
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    if (!a.startsWith("-") || a === "-") continue;
    const name0 = a.startsWith("--") ? a : `-${a}`;
    const eq = name0.indexOf("=");
    if (eq > 0) {
      add(name0.slice(0, eq), unquote(name0.slice(eq + 1)));
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith("-")) {
      add(name0, unquote(next));
      i++;
    } else {
      add(name0, "true");
    }
  }
  return out;
}

/** The effective value of a flag: the last one given wins, as pflag does for scalar flags. */
export function lastValue(flags: FlagMap, name: string): string | undefined {
  const v = flags.get(name);
  return v && v.length > 0 ? v[v.length - 1] : undefined;
}

/**
 * Splits a list flag value (`--enable-admission-plugins=A,B`). pflag's string slices
 * append across repeats, but the API server declares these as plain comma lists where
 * the last occurrence wins, so callers pass the last value.
 */
export function splitList(v: string | undefined): string[] {
  if (v === undefined) return [];
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parses `--feature-gates=A=true,B=false` into a map. */
export function parseFeatureGates(v: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of splitList(v)) {
    const eq = item.indexOf("=");
    if (eq > 0)
      out.set(
        item.slice(0, eq).trim(),
        item
          .slice(eq + 1)
          .trim()
          .toLowerCase(),
      );
  }
  return out;
}

/**
 * Splits a systemd ExecStart-like line into words, honouring single and double quotes
 * and backslash escapes. Used for unit files and `/var/snap/.../args` files.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      const n = line[++i];
      if (n !== "\n") {
        cur += n;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
