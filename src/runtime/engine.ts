/**
 * The rule engine: holds a compiled rule set and evaluates events of one source at a time against the
 * rules of that source, producing Falco-shaped alerts. No I/O; the clock is only the event's own time.
 */
import {
  type EvalCtx,
  type Evaluator,
  type Getter,
  newEvalCtx,
  type ValueProbe,
} from "./condition/compile.js";
import { type Alert, alertTimes, type Priority, priorityRank } from "./output.js";
import type { CompiledRule, RuleSet } from "./rules/loader.js";

export interface EngineOptions {
  hostname: string;
  /** drop alerts less severe than this (Falco's `priority` setting) */
  minPriority?: Priority;
  /** only these rule names / only rules with one of these tags (empty = all) */
  onlyRules?: string[];
}

/** Rules arranged as a trie of shared condition prefixes: a check common to many rules runs once. */
interface TrieNode {
  ev: Evaluator<unknown>;
  probe?: ValueProbe<unknown>;
  children: TrieNode[];
  byKey: Map<string, TrieNode>;
  /** indexes (into SourceState.rules) of the rules whose whole condition ends here */
  rules: number[];
  /** sibling value tests on one field, answered with one read and one lookup (filled after building) */
  indexed: ValueIndex[];
  /** the children that are not in `indexed` */
  others: TrieNode[];
}

interface SourceState {
  rules: CompiledRule[];
  ctx: EvalCtx<unknown>;
  root: TrieNode;
  hits: number[];
}

interface ValueIndex {
  get: Getter<unknown>;
  byValue: Map<string, TrieNode[]>;
  /** every child in this index, for values that are not a single string */
  members: TrieNode[];
}

const newNode = (ev: Evaluator<unknown>, probe?: ValueProbe<unknown>): TrieNode => ({
  ev,
  probe,
  children: [],
  byKey: new Map(),
  rules: [],
  indexed: [],
  others: [],
});

function buildTrie(rules: CompiledRule[]): TrieNode {
  const root = newNode(() => true);
  rules.forEach((r, i) => {
    let node = root;
    const chain = r.conjuncts.length > 0 ? r.conjuncts : [{ key: `rule|${r.name}`, ev: r.evaluate }];
    for (const cj of chain) {
      let next = node.byKey.get(cj.key);
      if (!next) {
        next = newNode(cj.ev, "probe" in cj ? cj.probe : undefined);
        node.byKey.set(cj.key, next);
        node.children.push(next);
      }
      node = next;
    }
    node.rules.push(i);
  });
  indexChildren(root);
  return root;
}

/** Group the children that test values of the same field (two or more) into one lookup. */
function indexChildren(node: TrieNode): void {
  const byField = new Map<string, TrieNode[]>();
  for (const k of node.children) {
    if (k.probe) {
      const group = byField.get(k.probe.field);
      if (group) group.push(k);
      else byField.set(k.probe.field, [k]);
    }
  }
  for (const k of node.children) {
    const group = k.probe ? byField.get(k.probe.field)! : undefined;
    if (!group || group.length < 2) node.others.push(k);
  }
  for (const group of byField.values()) {
    if (group.length < 2) continue;
    const byValue = new Map<string, TrieNode[]>();
    for (const k of group) {
      for (const v of k.probe!.values) {
        const list = byValue.get(v);
        if (list) list.push(k);
        else byValue.set(v, [k]);
      }
    }
    node.indexed.push({ get: group[0]!.probe!.get, byValue, members: group });
  }
  for (const k of node.children) indexChildren(k);
}

/** Ascending insertion sort: the rules an event matches are few (cheaper than Array#sort here). */
function sortSmall(a: number[]): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function enter(k: TrieNode, c: EvalCtx<unknown>, hits: number[]): void {
  if (k.rules.length > 0) for (const r of k.rules) hits.push(r);
  if (k.children.length > 0) walk(k, c, hits);
}

function walk(node: TrieNode, c: EvalCtx<unknown>, hits: number[]): void {
  const indexed = node.indexed;
  for (let i = 0; i < indexed.length; i++) {
    const ix = indexed[i]!;
    const v = ix.get(c);
    if (v === undefined) continue; // not available: every test on it is false
    if (typeof v === "string") {
      const matched = ix.byValue.get(v);
      if (matched) for (const k of matched) enter(k, c, hits);
    } else for (const k of ix.members) if (k.ev(c)) enter(k, c, hits);
  }
  const others = node.others;
  for (let i = 0; i < others.length; i++) {
    const k = others[i]!;
    if (k.ev(c)) enter(k, c, hits);
  }
}

export interface EngineCounters {
  evaluated: number;
  matched: number;
  evalErrors: number;
}

export class RuleEngine {
  private readonly bySource = new Map<string, SourceState>();
  readonly counters: EngineCounters = { evaluated: 0, matched: 0, evalErrors: 0 };

  constructor(
    readonly ruleset: RuleSet,
    private readonly opts: EngineOptions,
  ) {
    const min = opts.minPriority ? priorityRank(opts.minPriority) : 7;
    const only = opts.onlyRules && opts.onlyRules.length > 0 ? new Set(opts.onlyRules) : undefined;
    for (const r of ruleset.rules) {
      if (priorityRank(r.priority) > min) continue;
      if (only && !only.has(r.name) && !r.tags.some((t) => only.has(t))) continue;
      let st = this.bySource.get(r.source);
      if (!st) {
        st = {
          rules: [],
          ctx: newEvalCtx(ruleset.slots.get(r.source)?.size ?? 0, undefined),
          root: newNode(() => true),
          hits: [],
        };
        this.bySource.set(r.source, st);
      }
      st.rules.push(r);
    }
    for (const st of this.bySource.values()) st.root = buildTrie(st.rules);
  }

  /** Sources that have at least one active rule. */
  sources(): string[] {
    return [...this.bySource.keys()];
  }

  rulesFor(source: string): readonly CompiledRule[] {
    return this.bySource.get(source)?.rules ?? [];
  }

  /**
   * Evaluate one event. `tsNs` is the event's time. Matching rules are returned in rule order;
   * each becomes one alert.
   */
  process(source: string, evt: unknown, tsNs: number): Alert[] {
    const st = this.bySource.get(source);
    this.counters.evaluated++;
    if (!st) return [];
    const c = st.ctx;
    c.evt = evt;
    if (++c.gen >= 0x7fffffff) {
      c.gen = 1;
      c.stamps.fill(-1);
    }
    let out: Alert[] | undefined;
    let time = "";
    let prefix = "";
    const hits = st.hits;
    hits.length = 0;
    try {
      walk(st.root, c, hits);
    } catch {
      this.counters.evalErrors++;
      return [];
    }
    if (hits.length === 0) return [];
    if (hits.length > 1) sortSmall(hits);
    for (const idx of hits) {
      const r = st.rules[idx]!;
      const fields: Record<string, unknown> = { "evt.time": tsNs };
      const text = r.output.render(c, fields);
      this.counters.matched++;
      if (!out) {
        out = [];
        const t = alertTimes(tsNs);
        time = t.time;
        prefix = `${t.clock}: `;
      }
      out.push({
        time,
        rule: r.name,
        priority: r.priority,
        output: `${prefix}${r.priority} ${text}`,
        output_fields: fields,
        source: r.source,
        tags: r.tags,
        hostname: this.opts.hostname,
      });
    }
    return out ?? [];
  }
}
