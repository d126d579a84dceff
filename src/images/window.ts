/**
 * Finds a byte pattern in a stream (at aligned offsets) and keeps a bounded window from it:
 * how huge files are cataloged without holding them.
 */
export class WindowScanner {
  private carry = Buffer.alloc(0);
  /** Absolute offset of the first byte of `carry`. */
  private carryStart = 0;
  private parts: Buffer[] = [];
  private kept = 0;
  private found = false;

  constructor(
    private readonly magic: Buffer,
    private readonly keep: number,
    private readonly align = 1,
  ) {}

  get done(): boolean {
    return this.found && this.kept >= this.keep;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    if (this.found) {
      this.take(chunk);
      return;
    }
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.carryStart;
    for (let i = buf.indexOf(this.magic); i >= 0; i = buf.indexOf(this.magic, i + 1)) {
      if ((base + i) % this.align !== 0) continue;
      this.found = true;
      this.take(buf.subarray(i));
      return;
    }
    const tail = Math.min(buf.length, this.magic.length - 1);
    this.carry = Buffer.from(buf.subarray(buf.length - tail));
    this.carryStart = base + buf.length - tail;
  }

  private take(b: Buffer): void {
    const n = Math.min(b.length, this.keep - this.kept);
    if (n > 0) {
      this.parts.push(Buffer.from(b.subarray(0, n)));
      this.kept += n;
    }
  }

  /** The window (from the pattern on), or undefined when the pattern never appeared. */
  result(): Buffer | undefined {
    return this.found ? Buffer.concat(this.parts) : undefined;
  }
}
