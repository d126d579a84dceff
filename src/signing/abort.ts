// Cancellation for signing work that a caller time-boxes (the admission controller's verifier):
// every registry request of a repository carries the signal, and loops check it between items.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { RegistryOptions } from "../images/registry/client.js";

/**
 * Registry options whose requests (and retry back-offs) stop when `signal` fires. The registry
 * client retries failed requests, and an aborted request looks like a failed one to it: the back-off
 * sleep must end at once too, or an abort would wait out the retries.
 */
export function abortableRegistry(registry: RegistryOptions, signal: AbortSignal): RegistryOptions {
  const fetchFn = registry.fetch ?? globalThis.fetch;
  const sleep = registry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    ...registry,
    fetch: (input, init) =>
      fetchFn(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    sleep: (ms) => {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const stop = () => reject(signal.reason);
        signal.addEventListener("abort", stop, { once: true });
        sleep(ms).then(() => {
          signal.removeEventListener("abort", stop);
          resolve();
        }, reject);
      });
    },
  };
}

/**
 * Runs `work` under `signal`: once the signal has fired, whatever the work failed with (a registry
 * error wrapping the aborted request, say) is reported as the abort itself.
 */
export async function underSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  try {
    return await work();
  } catch (err) {
    signal?.throwIfAborted();
    throw err;
  }
}

/** Between two items of CPU-bound work: lets a timer fire (a time box) and stops if it aborted. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await yieldToEventLoop();
  signal.throwIfAborted();
}
