/**
 * Streams a large JSON document and hands back, one at a time, the values found at a given depth
 * (with their key path), so a 100 MB feed is parsed in pieces and memory stays bounded by the largest
 * piece. Scalars above that depth are reported too (e.g. a feed's "distroversion" next to its list).
 * Depth 0 is the document itself, depth 1 the members of the top-level object or array.
 */
export type JsonPath = Array<string | number>;

interface Frame {
  kind: "obj" | "arr";
  key: string | number;
  index: number;
  /** In an object: whether the next string is a key. */
  expectKey: boolean;
}

export class JsonSplitError extends Error {
  readonly code = "json-stream";
}

export class JsonSplitter {
  private readonly frames: Frame[] = [];
  private inString = false;
  private escaped = false;
  /** Text of the value being captured (at the target depth), or of a shallow string/scalar. */
  private buf = "";
  private mode: "none" | "capture" | "key" | "scalarString" | "scalarBare" = "none";
  private capDepth = 0;
  private capPath: JsonPath = [];
  private done = false;

  constructor(
    private readonly depth: number,
    private readonly onValue: (path: JsonPath, raw: string) => void,
  ) {}

  private path(): JsonPath {
    return this.frames.map((f) => (f.kind === "obj" ? f.key : f.index));
  }

  write(chunk: string): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === "capture") i = this.capture(chunk, i);
      else this.char(chunk[i++]!);
    }
  }

  end(): void {
    if (this.mode === "scalarBare") this.finishBare();
    if (this.mode === "capture" && this.capDepth === 0 && !this.inString) this.emitCapture();
    if (this.frames.length > 0 || this.mode !== "none" || !this.done)
      throw new JsonSplitError("JSON document ends early (truncated file?)");
  }

  /** Scans a captured value fast, copying slices rather than characters. Returns the next index. */
  private capture(chunk: string, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
          this.inString = false;
          if (this.capDepth === 0) {
            this.buf += chunk.slice(from, i + 1);
            this.emitCapture();
            return i + 1;
          }
        }
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.capDepth++;
      else if (c === 125 || c === 93 || c === 44 || c === 32 || c === 10 || c === 13 || c === 9) {
        if (this.capDepth === 0) {
          // End of a bare scalar (number, true, false, null) captured at the target depth.
          this.buf += chunk.slice(from, i);
          this.emitCapture();
          return i;
        }
        if (c === 125 || c === 93) {
          this.capDepth--;
          if (this.capDepth === 0) {
            this.buf += chunk.slice(from, i + 1);
            this.emitCapture();
            return i + 1;
          }
        }
      }
    }
    this.buf += chunk.slice(from);
    return chunk.length;
  }

  private char(c: string): void {
    if (this.mode === "key" || this.mode === "scalarString") {
      this.buf += c;
      if (this.escaped) this.escaped = false;
      else if (c === "\\") this.escaped = true;
      else if (c === '"') {
        const text = JSON.parse(this.buf) as string;
        if (this.mode === "key") {
          const f = this.frames[this.frames.length - 1]!;
          f.key = text;
          f.expectKey = false;
        } else {
          this.onValue(this.path(), this.buf);
          this.valueDone();
        }
        this.mode = "none";
        this.buf = "";
      }
      return;
    }
    if (this.mode === "scalarBare") {
      if (/[\s,\]}]/.test(c)) {
        this.finishBare();
        this.structural(c);
      } else this.buf += c;
      return;
    }
    this.structural(c);
  }

  private finishBare(): void {
    this.onValue(this.path(), this.buf);
    this.buf = "";
    this.mode = "none";
    this.valueDone();
  }

  private emitCapture(): void {
    this.onValue(this.capPath, this.buf.trim());
    this.buf = "";
    this.mode = "none";
    this.valueDone();
  }

  private valueDone(): void {
    if (this.frames.length === 0) this.done = true;
  }

  private structural(c: string): void {
    if (/\s/.test(c)) return;
    const top = this.frames[this.frames.length - 1];
    if (c === ",") {
      if (!top) throw new JsonSplitError("unexpected ',' at top level");
      if (top.kind === "arr") top.index++;
      else top.expectKey = true;
      return;
    }
    if (c === ":") return;
    if (c === "}" || c === "]") {
      if (!top || (c === "}") !== (top.kind === "obj")) throw new JsonSplitError(`unexpected '${c}'`);
      this.frames.pop();
      this.valueDone();
      return;
    }
    if (top?.kind === "obj" && top.expectKey) {
      if (c !== '"') throw new JsonSplitError(`expected a key, found '${c}'`);
      this.mode = "key";
      this.buf = c;
      return;
    }
    if (this.done) throw new JsonSplitError("more data after the JSON document");
    // The start of a value.
    if (this.frames.length === this.depth) {
      this.mode = "capture";
      this.capPath = this.path();
      this.buf = c;
      this.capDepth = c === "{" || c === "[" ? 1 : 0;
      this.inString = c === '"';
      this.escaped = false;
      return;
    }
    if (c === "{" || c === "[") {
      this.frames.push({ kind: c === "{" ? "obj" : "arr", key: "", index: 0, expectKey: c === "{" });
      return;
    }
    if (c === '"') {
      this.mode = "scalarString";
      this.buf = c;
      return;
    }
    this.mode = "scalarBare";
    this.buf = c;
  }
}
