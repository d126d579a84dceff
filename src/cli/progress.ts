// The one progress bar of the CLI (image pulls, db update): same look everywhere, on a terminal only.
import cliProgress from "cli-progress";

/** A byte-counting bar for one item after another (layers of an image, feeds of the database). */
export interface ProgressBar {
  /** Shows a new item: its label and its size in bytes (undefined or 0 when unknown). */
  start(label: string, total?: number): void;
  /** Bytes of the current item done so far, and its size once it is known. */
  update(bytes: number, total?: number): void;
  /** Clears the bar (each item's own result line, if any, is the caller's). */
  stop(): void;
}

export const PROGRESS_FORMAT = "{label} [{bar}] {percentage}% {done}/{size}";

/**
 * A bar on `stream` (stderr by default), or undefined when it is not a terminal or the user said
 * --no-progress: piped output and CI logs get no redraw sequences, and callers print plain lines instead.
 */
export function progressBar(
  opts: { enabled?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {},
): ProgressBar | undefined {
  const stream = opts.stream ?? process.stderr;
  if (opts.enabled === false || stream.isTTY !== true) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream, format: PROGRESS_FORMAT, hideCursor: true, clearOnComplete: true, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  let size: number | undefined;
  const payload = (bytes: number) => ({ done: formatBytes(bytes), size: size ? formatBytes(size) : "?" });
  return {
    start(label, total) {
      if (running) bar.stop();
      size = total || undefined;
      bar.start(Math.max(1, size ?? 1), 0, { label, ...payload(0) });
      running = true;
    },
    update(bytes, total) {
      if (!running) return;
      if (total) size = total;
      // With no size known the bar follows the bytes (full), and the size reads "?".
      bar.setTotal(Math.max(1, size ?? bytes));
      bar.update(bytes, payload(bytes));
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/** 1536 → "1.5 KiB"; bytes below 1 KiB as "512 B". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
