import type { Pipeline } from "../pipeline.js";

/** An event source: `run` feeds the pipeline until the input ends or `stop` is called. */
export interface EventSource {
  name: string;
  run(p: Pipeline): Promise<void>;
  stop(): Promise<void>;
  /** resolves once the source accepts input (a server is listening) */
  ready?(): Promise<void>;
  /** the bound port of a network source */
  port?(): number | undefined;
}
