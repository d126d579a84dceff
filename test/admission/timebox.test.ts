import { describe, expect, it } from "vitest";
import { withTimeout } from "../../src/admission/timebox.js";

/** Timers currently keeping the event loop alive (Node's own count, not ours). */
const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("withTimeout", () => {
  it("turns a synchronous throw into a rejection and clears its timer", async () => {
    const before = activeTimers();
    let outcome: unknown;
    expect(() => {
      outcome = withTimeout(() => {
        throw new Error("bad image reference");
      }, 60_000);
    }).not.toThrow();
    await expect(outcome).rejects.toThrow("bad image reference");
    expect(activeTimers()).toBe(before);
  });

  it("resolves the callee's value and clears its timer", async () => {
    const before = activeTimers();
    expect(await withTimeout(async () => 42, 60_000)).toBe(42);
    expect(activeTimers()).toBe(before);
  });

  it("passes a rejection through and clears its timer", async () => {
    const before = activeTimers();
    await expect(withTimeout(async () => Promise.reject(new Error("registry down")), 60_000)).rejects.toThrow(
      "registry down",
    );
    expect(activeTimers()).toBe(before);
  });

  it("answers 'timeout' in time and aborts the callee's signal", async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const r = await withTimeout((signal) => {
      seen = signal;
      return new Promise<string>(() => {});
    }, 50);
    expect(r).toBe("timeout");
    expect(seen?.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
