// CEL optional values (Kubernetes 1.28+): optional.of, optional.none, optional.ofNonZeroValue and the
// hasValue / value / orValue / or methods. The value itself is kept beside the message; the message
// carries `present` and a canonical key of the value so `==` compares optionals by their contents.
// The optional syntax (`a.?b`, `m[?k]`, `[?x]`, `{?k: v}`) and the optMap / optFlatMap macros need
// parser support that @bufbuild/cel 0.6 lacks; see optionalSyntax.ts for the field and index forms.

import { CelScalar, type CelValue, celFunc, celMethod, isCelList, isCelMap, isCelUint } from "@bufbuild/cel";
import { toBinary } from "@bufbuild/protobuf";
import { isReflectMessage } from "@bufbuild/protobuf/reflect";
import { fieldsOf, newValue, OPTIONAL_DESC, OPTIONAL_TYPE } from "./types.js";

const contents = new WeakMap<object, CelValue>();

/** A canonical text for CEL equality: numbers by value (1 == 1.0 == 1u), maps by sorted keys. */
export function equalityKey(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return `b:${v}`;
  if (typeof v === "bigint") return `#${v}`;
  if (typeof v === "number") return Number.isInteger(v) ? `#${BigInt(v)}` : `#${v}`;
  if (isCelUint(v)) return `#${v.value}`;
  if (typeof v === "string") return `s:${JSON.stringify(v)}`;
  if (v instanceof Uint8Array) return `x:${Buffer.from(v).toString("hex")}`;
  if (isCelList(v)) return `[${[...v].map(equalityKey).join(",")}]`;
  if (isCelMap(v))
    return `{${[...v]
      .map(([k, x]) => `${equalityKey(k)}:${equalityKey(x)}`)
      .sort()
      .join(",")}}`;
  if (isReflectMessage(v)) {
    const inner = contents.get(v.message);
    const own = Buffer.from(toBinary(v.desc, v.message)).toString("hex");
    return `${v.desc.typeName}:${own}${inner === undefined ? "" : `(${equalityKey(inner)})`}`;
  }
  return `?${String(v)}`;
}

export function optionalOf(value: CelValue): never {
  const msg = newValue(OPTIONAL_DESC, { present: true, key: equalityKey(value) }) as unknown as object;
  contents.set(msg, value);
  return msg as never;
}

export const optionalNone = (): never => newValue(OPTIONAL_DESC, {});

function unwrap(opt: unknown): { present: boolean; value?: CelValue } {
  const msg = fieldsOf<{ present: boolean }>(opt);
  if (!msg.present) return { present: false };
  const value = contents.get(msg);
  // A hand-built `optional_type{present: true}` has no value behind it.
  if (value === undefined) throw new Error("optional value has no contents");
  return { present: true, value };
}

function isZero(v: CelValue): boolean {
  if (v === null || v === false || v === 0n || v === 0 || v === "") return true;
  if (isCelUint(v)) return v.value === 0n;
  if (v instanceof Uint8Array) return v.length === 0;
  if (isCelList(v) || isCelMap(v)) return v.size === 0;
  if (isReflectMessage(v)) {
    const name = v.desc.typeName;
    if (name === "google.protobuf.Timestamp" || name === "google.protobuf.Duration") {
      const m = v.message as unknown as { seconds: bigint; nanos: number };
      // The zero time.Time is 0001-01-01T00:00:00Z.
      const zeroSeconds = name === "google.protobuf.Timestamp" ? -62135596800n : 0n;
      return m.seconds === zeroSeconds && m.nanos === 0;
    }
  }
  return false;
}

const DYN = CelScalar.DYN;

export const optionalFuncs = [
  celFunc("optional.of", [DYN], OPTIONAL_TYPE, (v: CelValue) => optionalOf(v)),
  celFunc("optional.none", [], OPTIONAL_TYPE, () => optionalNone()),
  celFunc("optional.ofNonZeroValue", [DYN], OPTIONAL_TYPE, (v: CelValue) =>
    isZero(v) ? optionalNone() : optionalOf(v),
  ),
  celMethod("hasValue", OPTIONAL_TYPE, [], CelScalar.BOOL, function () {
    return unwrap(this).present;
  }),
  celMethod("value", OPTIONAL_TYPE, [], DYN, function () {
    const o = unwrap(this);
    if (!o.present) throw new Error("optional.none() dereference");
    return o.value as never;
  }),
  celMethod("orValue", OPTIONAL_TYPE, [DYN], DYN, function (other: CelValue) {
    const o = unwrap(this);
    return (o.present ? o.value : other) as never;
  }),
  celMethod("or", OPTIONAL_TYPE, [OPTIONAL_TYPE], OPTIONAL_TYPE, function (other: CelValue) {
    return (unwrap(this).present ? this : other) as never;
  }),
];
