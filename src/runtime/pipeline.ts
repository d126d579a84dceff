/**
 * The event pipeline: sources put events into a bounded queue, one loop evaluates them with the rule
 * engine, alerts go through priority threshold, de-duplication and per-rule rate limiting to outputs.
 * Nothing is lost silently: every event is counted as received, then evaluated, dropped or malformed.
 */
import type { RuleEngine } from "./engine.js";
import type { Alert } from "./output.js";

export interface QueuedEvent {
  source: string;
  evt: unknown;
  tsNs: number;
}

export interface AlertSink {
  write(alert: Alert): void;
  flush(): Promise<void>;
  /** failures that an output could not recover from (after retries) */
  readonly failures?: number;
}

export interface Counters {
  received: number;
  evaluated: number;
  dropped: number;
  malformed: number;
  alerts: number;
  alertsSuppressed: number;
  alertsDeduplicated: number;
}

export interface PipelineOptions {
  /** queue bound; events offered past it are dropped and counted */
  queueSize?: number;
  /** per-rule token bucket: alerts per second and burst (Falco's outputs.rate/max_burst); 0 = off */
  ratePerSec?: number;
  burst?: number;
  /** suppress identical (rule + output text without time) alerts seen within this window; 0 = off */
  dedupWindowMs?: number;
  /** injected clock in ms (rate limiting and de-duplication only) */
  now?: () => number;
  /** called for every alert that passed (after rate limiting), e.g. to run responses */
  onAlert?: (a: Alert, e: QueuedEvent) => void;
  /** called the first time each skip reason is seen (later ones are only counted) */
  onFirstSkip?: (reason: string, kind: string) => void;
}

export class Pipeline {
  readonly counters: Counters = {
    received: 0,
    evaluated: 0,
    dropped: 0,
    malformed: 0,
    alerts: 0,
    alertsSuppressed: 0,
    alertsDeduplicated: 0,
  };
  private readonly queue: QueuedEvent[] = [];
  private head = 0;
  private readonly bound: number;
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;
  private draining: Promise<void> | undefined;
  private spaceWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  readonly malformedReasons = new Map<string, number>();
  /** skipped inputs by kind (a short code such as `no-stage-timestamp`), for /metrics */
  readonly malformedKinds = new Map<string, number>();

  constructor(
    private readonly engine: RuleEngine,
    private readonly sinks: AlertSink[],
    private readonly opts: PipelineOptions = {},
  ) {
    this.bound = opts.queueSize ?? 10_000;
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** A malformed input: counted (by reason and kind) and skipped; the first of each reason is reported. */
  malformed(reason: string, n = 1, kind = "other"): void {
    this.counters.received += n;
    this.counters.malformed += n;
    const key = reason.length > 120 ? `${reason.slice(0, 117)}...` : reason;
    const seen = this.malformedReasons.get(key);
    this.malformedReasons.set(key, (seen ?? 0) + n);
    this.malformedKinds.set(kind, (this.malformedKinds.get(kind) ?? 0) + n);
    if (seen === undefined) this.opts.onFirstSkip?.(key, kind);
  }

  /** Live sources: enqueue or drop (counted) when the queue is full. */
  offer(e: QueuedEvent): boolean {
    this.counters.received++;
    if (this.queued >= this.bound) {
      this.counters.dropped++;
      return false;
    }
    this.queue.push(e);
    this.kick();
    return true;
  }

  /** Replayable sources (files): wait for room instead of dropping. */
  async put(e: QueuedEvent): Promise<void> {
    while (this.queued >= this.bound) await new Promise<void>((r) => this.spaceWaiters.push(r));
    this.counters.received++;
    this.queue.push(e);
    this.kick();
  }

  /** Resolves when the queue is empty and the loop is idle. */
  async drain(): Promise<void> {
    if (this.queued === 0 && !this.draining) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Evaluate one event right away (used by the loop and by synchronous replays such as the benchmark). */
  evaluate(e: QueuedEvent): void {
    this.counters.evaluated++;
    const alerts = this.engine.process(e.source, e.evt, e.tsNs);
    for (const a of alerts) this.emit(a, e);
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = new Promise<void>((resolve) => setImmediate(() => this.loop(resolve)));
  }

  private loop(done: () => void): void {
    let n = 0;
    while (this.head < this.queue.length && n < 1024) {
      const e = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as QueuedEvent;
      this.head++;
      n++;
      this.evaluate(e);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
    if (this.head < this.queue.length) {
      setImmediate(() => this.loop(done));
      return;
    }
    this.draining = undefined;
    done();
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of idle) w();
  }

  private emit(a: Alert, e: QueuedEvent): void {
    const window = this.opts.dedupWindowMs ?? 0;
    const rate = this.opts.ratePerSec ?? 0;
    // The clock is only read when de-duplication or rate limiting needs it.
    const t = window > 0 || rate > 0 ? this.now() : 0;
    if (window > 0) {
      const key = `${a.rule}\u0000${a.output.slice(a.output.indexOf(": ") + 2)}`;
      const last = this.seen.get(key);
      if (last !== undefined && t - last < window) {
        this.counters.alertsDeduplicated++;
        return;
      }
      this.seen.set(key, t);
      if (this.seen.size > 50_000) for (const [k, v] of this.seen) if (t - v >= window) this.seen.delete(k);
    }
    if (rate > 0) {
      const burst = this.opts.burst ?? Math.max(1, rate);
      let b = this.buckets.get(a.rule);
      if (!b) {
        b = { tokens: burst, last: t };
        this.buckets.set(a.rule, b);
      }
      b.tokens = Math.min(burst, b.tokens + ((t - b.last) / 1000) * rate);
      b.last = t;
      if (b.tokens < 1) {
        this.counters.alertsSuppressed++;
        return;
      }
      b.tokens -= 1;
    }
    this.counters.alerts++;
    for (const s of this.sinks) s.write(a);
    this.opts.onAlert?.(a, e);
  }

  /** Also used for response records, which are alerts of their own. */
  emitExtra(a: Alert): void {
    this.counters.alerts++;
    for (const s of this.sinks) s.write(a);
  }

  async flush(): Promise<void> {
    await this.drain();
    await Promise.all(this.sinks.map((s) => s.flush()));
  }
}
