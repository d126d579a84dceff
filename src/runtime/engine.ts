/**
 * The rule engine: holds a compiled rule set and evaluates events of one source at a time against the
 * rules of that source, producing Falco-shaped alerts. No I/O; the clock is only the event's own time.
 */
import { type EvalCtx, newEvalCtx } from "./condition/compile.js";
import { type Alert, isoNs, type Priority, priorityRank } from "./output.js";
import type { CompiledRule, RuleSet } from "./rules/loader.js";

export interface EngineOptions {
  hostname: string;
  /** drop alerts less severe than this (Falco's `priority` setting) */
  minPriority?: Priority;
  /** only these rule names / only rules with one of these tags (empty = all) */
  onlyRules?: string[];
}

interface SourceState {
  rules: CompiledRule[];
  ctx: EvalCtx<unknown>;
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
        st = { rules: [], ctx: newEvalCtx(ruleset.slots.get(r.source)?.size ?? 0, undefined) };
        this.bySource.set(r.source, st);
      }
      st.rules.push(r);
    }
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
    for (const r of st.rules) {
      let hit: boolean;
      try {
        hit = r.evaluate(c);
      } catch {
        this.counters.evalErrors++;
        continue;
      }
      if (!hit) continue;
      const fields: Record<string, unknown> = { "evt.time": tsNs };
      const text = r.output.render(c, fields);
      this.counters.matched++;
      if (!out) {
        out = [];
        time = isoNs(tsNs);
        prefix = `${time.slice(11, 29)}: `;
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
