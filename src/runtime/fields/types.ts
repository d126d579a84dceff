/** Field tables: what a rule condition or output may name, its type, argument form and extractor. */

export type FieldType = "string" | "bytebuf" | "number" | "bool" | "ipaddr" | "ipnet" | "abstime" | "reltime";
export type Scalar = string | number;
/** `undefined` = the value is not available for this event (Falco prints `<NA>` and every comparison is false). */
export type Extracted = Scalar | Scalar[] | undefined;

/** How a field takes an argument: `f[0]` (index), `f[key]` (key), or the `evt.arg.NAME` dotted form. */
export type ArgMode = "none" | "index" | "key" | "required-key" | "required-index" | "index-or-key";

export interface FieldDef<E = unknown> {
  name: string;
  type: FieldType;
  list?: boolean;
  arg?: ArgMode;
  /** `evt.arg.flags` is `evt.arg[flags]` */
  dottedArg?: boolean;
  desc: string;
  /** Absent when the field is part of the rule language but no kubeward source provides it. */
  extract?: (evt: E, arg: string | undefined) => Extracted;
  /** Optional: prepare an extractor for one argument once, at compile time (faster than `extract`). */
  bind?: (arg: string | undefined) => (evt: E) => Extracted;
  /** Why `extract` is absent (listed when a rule that uses the field is made inactive). */
  unavailable?: string;
}

export interface FieldTable<E = unknown> {
  /** Falco source name, e.g. `k8s_audit` or `syscall`. */
  source: string;
  lookup(name: string): { def: FieldDef<E>; arg?: string } | undefined;
  all(): FieldDef<E>[];
}

/** Build a table from definitions; dotted-arg fields are found by their prefix (`evt.arg.` + name). */
export function makeTable<E>(source: string, defs: FieldDef<E>[]): FieldTable<E> {
  const byName = new Map<string, FieldDef<E>>();
  const dotted: FieldDef<E>[] = [];
  for (const d of defs) {
    byName.set(d.name, d);
    if (d.dottedArg) dotted.push(d);
  }
  dotted.sort((a, b) => b.name.length - a.name.length);
  return {
    source,
    lookup(name) {
      const def = byName.get(name);
      if (def) return { def };
      for (const d of dotted) {
        if (name.startsWith(`${d.name}.`) && name.length > d.name.length + 1) {
          return { def: d, arg: name.slice(d.name.length + 1) };
        }
      }
      return undefined;
    },
    all: () => defs,
  };
}
