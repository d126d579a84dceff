// Time boxes for calls that reach the network (registries, scanners): the caller gets "timeout"
// after `ms` and the callee's AbortSignal fires; a late result is dropped by the caller.

export function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T | "timeout"> {
  const ac = new AbortController();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ac.abort();
      resolve("timeout");
    }, ms);
    let pending: Promise<T>;
    try {
      pending = run(ac.signal);
    } catch (err) {
      // A callee that throws before returning its promise must not leave the timer running.
      clearTimeout(timer);
      reject(err);
      return;
    }
    Promise.resolve(pending).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Time allowed to verify an image's signatures: under the webhook's 5 s timeout. */
export const SIGNATURE_TIMEOUT_MS = 4000;
