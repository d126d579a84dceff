// Validation problems of config and policy files: collected with their paths, not thrown.

export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

/** A list of strings; anything else is a problem (and reads as empty). */
export function strings(v: unknown, path: string, p: Problems): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    p.add(path, "must be a list of strings");
    return [];
  }
  return v as string[];
}
