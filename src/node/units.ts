import { shellWords, unquote } from "./flags.js";
import type { HostReader } from "./reader.js";

/**
 * The command a systemd service runs: the last non-empty ExecStart= across the unit and
 * its drop-ins (`<unit>.d/*.conf`), with Environment= and EnvironmentFile= variables
 * expanded ($VAR and ${VAR}), split into words. Undefined when there is no ExecStart.
 */
export function parseUnitExecStart(reader: HostReader, unitPath: string): string[] | undefined {
  const files = [unitPath];
  const dropInDir = unitPath.endsWith(".conf") ? undefined : `${unitPath}.d`;
  if (dropInDir)
    for (const f of reader.list(dropInDir) ?? []) if (f.endsWith(".conf")) files.push(`${dropInDir}/${f}`);
  const env: Record<string, string> = {};
  let exec: string | undefined;
  for (const file of files) {
    const text = (reader.readFile(file) ?? "").replace(/\\\n/g, " ");
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line.startsWith("#") || line.startsWith(";")) continue;
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      if (key === "Environment") {
        for (const word of shellWords(value)) {
          const i = word.indexOf("=");
          if (i > 0) env[word.slice(0, i)] = word.slice(i + 1);
        }
      } else if (key === "EnvironmentFile") {
        const path = value.replace(/^-/, "");
        for (const l of (reader.readFile(path) ?? "").split("\n")) {
          const m = l.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
          if (m) env[m[1]] = unquote(m[2].trim());
        }
      } else if (key === "ExecStart") {
        exec = value === "" ? undefined : value.replace(/^[-@+!:]+/, "");
      }
    }
  }
  if (!exec) return undefined;
  const expanded = exec.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => env[a ?? b] ?? "",
  );
  return shellWords(expanded);
}
