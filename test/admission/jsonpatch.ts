// A small, independent RFC 6902 applier (add, replace, remove) used to check the webhook's patches.
type Json = unknown;

function decode(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

export function applyJsonPatch<T>(doc: T, ops: ReadonlyArray<Record<string, unknown>>): T {
  const root = structuredClone(doc) as Json;
  for (const op of ops) {
    const path = String(op.path);
    if (!path.startsWith("/")) throw new Error(`bad pointer ${path}`);
    const tokens = path.slice(1).split("/").map(decode);
    const last = tokens.pop()!;
    let parent = root as Record<string, Json> | Json[];
    for (const t of tokens) {
      const next = Array.isArray(parent) ? parent[Number(t)] : parent[t];
      if (next === undefined || next === null || typeof next !== "object")
        throw new Error(`path ${path}: missing parent ${t}`);
      parent = next as Record<string, Json>;
    }
    if (op.op === "add") {
      if (Array.isArray(parent)) {
        if (last === "-") parent.push(op.value);
        else parent.splice(Number(last), 0, op.value);
      } else parent[last] = op.value;
    } else if (op.op === "replace") {
      if (Array.isArray(parent) ? parent[Number(last)] === undefined : !(last in parent))
        throw new Error(`replace ${path}: nothing there`);
      if (Array.isArray(parent)) parent[Number(last)] = op.value;
      else parent[last] = op.value;
    } else if (op.op === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else throw new Error(`unsupported op ${String(op.op)}`);
  }
  return root as T;
}
