/**
 * Alert outputs: a stream (stdout or a file) as JSON lines or text lines, and HTTP POST of each alert
 * as JSON with a timeout and retries with exponential backoff. `fetch` and the sleep are injectable.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { type Alert, alertToJson, alertToText } from "./output.js";
import type { AlertSink } from "./pipeline.js";

export type AlertFormat = "json" | "text";

export class StreamOutput implements AlertSink {
  private pending = "";
  constructor(
    private readonly out: Writable,
    private readonly format: AlertFormat,
    private readonly closeOnFlush = false,
  ) {}

  write(a: Alert): void {
    this.pending += `${this.format === "json" ? alertToJson(a) : alertToText(a)}\n`;
    if (this.pending.length > 64 * 1024) this.push();
  }

  private push(): void {
    if (this.pending) this.out.write(this.pending);
    this.pending = "";
  }

  async flush(): Promise<void> {
    this.push();
    await new Promise<void>((resolve) => {
      if (this.closeOnFlush) (this.out as WriteStream).end(resolve);
      else if (this.out.writableNeedDrain) this.out.once("drain", () => resolve());
      else resolve();
    });
  }
}

export function fileOutput(path: string, format: AlertFormat): StreamOutput {
  return new StreamOutput(createWriteStream(path, { flags: "a" }), format, true);
}

export interface HttpOutputOptions {
  url: string;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onError?: (msg: string) => void;
}

export class HttpOutput implements AlertSink {
  failures = 0;
  delivered = 0;
  private readonly inflight = new Set<Promise<void>>();
  constructor(private readonly o: HttpOutputOptions) {}

  write(a: Alert): void {
    const p = this.send(alertToJson(a)).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async send(body: string): Promise<void> {
    const f = this.o.fetchImpl ?? fetch;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const retries = this.o.retries ?? 3;
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep((this.o.backoffMs ?? 200) * 2 ** (attempt - 1));
      try {
        const res = await f(this.o.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...this.o.headers },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
        });
        if (res.ok) {
          this.delivered++;
          return;
        }
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (e) {
        last = (e as Error).message;
      }
    }
    this.failures++;
    this.o.onError?.(`http output ${this.o.url}: giving up after ${retries + 1} attempt(s): ${last}`);
  }

  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }
}
