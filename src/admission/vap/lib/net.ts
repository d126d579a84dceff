// The Kubernetes CEL `ip` and `cidr` libraries (Kubernetes 1.30+). Addresses are parsed the way Go's
// net/netip parses them, with its error texts, since those texts reach users in policy errors:
// no IPv4 octets with leading zeros, no zones, no IPv4-mapped IPv6 addresses.
import { CelScalar, celFunc, celMethod } from "@bufbuild/cel";
import { goQuote } from "./goquote.js";
import { accepts, CIDR_DESC, CIDR_TYPE, fieldsOf, IP_DESC, IP_TYPE, newValue } from "./types.js";

/** 4 or 16 bytes, network order. */
export type Addr = Uint8Array;

class AddrError extends Error {
  constructor(input: string, reason: string, at?: string) {
    super(`ParseAddr(${goQuote(input)}): ${reason}${at ? ` (at ${goQuote(at)})` : ""}`);
  }
}

function parseV4(s: string, input = s): Addr {
  const out = new Uint8Array(4);
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) throw new AddrError(input, "IPv4 field has octet with leading zero");
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) throw new AddrError(input, "IPv4 field has value >255");
    } else if (c === 46) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === ".")
        throw new AddrError(input, "IPv4 field must have at least one digit", s.slice(i));
      if (field === 3) throw new AddrError(input, "IPv4 address too long");
      out[field++] = value;
      value = 0;
      digits = 0;
    } else {
      throw new AddrError(input, "unexpected character", s.slice(i));
    }
  }
  if (field < 3) throw new AddrError(input, "IPv4 address too short");
  out[3] = value;
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseV6(input: string): { addr: Addr; zone: string } {
  let s = input;
  let zone = "";
  const pct = s.indexOf("%");
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === "") throw new AddrError(input, "zone must be a non-empty string");
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return { addr: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const h = hexValue(s.charCodeAt(off));
      if (h < 0) break;
      acc = acc * 16 + h;
      if (acc > 0xffff) throw new AddrError(input, "IPv6 field has value >=2^16", s);
    }
    if (off === 0) throw new AddrError(input, "each colon-separated field must have at least one digit", s);
    if (s[off] === ".") {
      if (ellipsis < 0 && i !== 12)
        throw new AddrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s);
      if (i + 4 > 16)
        throw new AddrError(
          input,
          "too many hex fields to fit an embedded IPv4 at the end of the address",
          s,
        );
      let v4: Addr;
      try {
        v4 = parseV4(s);
      } catch (err) {
        throw new AddrError(input, (err as Error).message, s);
      }
      ip.set(v4, i);
      s = "";
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === "") break;
    if (s[0] !== ":") throw new AddrError(input, "unexpected character, want colon", s);
    if (s.length === 1) throw new AddrError(input, "colon must be followed by more characters", s);
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) throw new AddrError(input, "multiple :: in address", s);
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") throw new AddrError(input, "trailing garbage after address", s);
  if (i < 16) {
    if (ellipsis < 0) throw new AddrError(input, "address string too short");
    const shift = 16 - i;
    ip.copyWithin(ellipsis + shift, ellipsis, i);
    ip.fill(0, ellipsis, ellipsis + shift);
  } else if (ellipsis >= 0) {
    throw new AddrError(input, "the :: must expand to at least one field of zeros");
  }
  return { addr: ip, zone };
}

/** Go's netip.ParseAddr: the address and its zone; throws with Go's message. */
function goParseAddr(s: string): { addr: Addr; zone: string } {
  for (const c of s) {
    if (c === ".") return { addr: parseV4(s), zone: "" };
    if (c === ":") return parseV6(s);
    if (c === "%") throw new AddrError(s, "missing IPv6 address");
  }
  throw new AddrError(s, "unable to parse IP");
}

const isV4InV6 = (a: Addr) =>
  a.length === 16 && a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff;

/** An address as the Kubernetes library accepts it (no zone, not IPv4-mapped); throws otherwise. */
function parseIP(raw: string): Addr {
  let parsed: { addr: Addr; zone: string };
  try {
    parsed = goParseAddr(raw);
  } catch (err) {
    throw new Error(
      `IP Address ${goQuote(raw)} parse error during conversion from string: ${(err as Error).message}`,
    );
  }
  if (parsed.zone !== "") throw new Error(`IP address ${goQuote(raw)} with zone value is not allowed`);
  if (isV4InV6(parsed.addr)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(raw)} is not allowed`);
  return parsed.addr;
}

/** The canonical text (RFC 5952 for IPv6: lower case, longest zero run of 2+ fields as "::"). */
function formatAddr(a: Addr): string {
  if (a.length === 4) return a.join(".");
  const words = Array.from({ length: 8 }, (_, i) => (a[2 * i]! << 8) | a[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (isV4InV6(a)) return `::ffff:${[...a.subarray(12)].join(".")}`;
  if (bestStart < 0) return words.map((w) => w.toString(16)).join(":");
  const head = words.slice(0, bestStart).map((w) => w.toString(16));
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16));
  return `${head.join(":")}::${tail.join(":")}`;
}

export interface Prefix {
  addr: Addr;
  bits: number;
}

/** Go's netip.ParsePrefix plus the Kubernetes rule against IPv4-mapped addresses (see toCIDR). */
function parseCIDR(raw: string): Prefix {
  const fail = (reason: string) =>
    new Error(
      `network address parse error during conversion from string: netip.ParsePrefix(${goQuote(raw)}): ${reason}`,
    );
  const slash = raw.lastIndexOf("/");
  if (slash < 0) throw fail("no '/'");
  let parsed: { addr: Addr; zone: string };
  try {
    parsed = goParseAddr(raw.slice(0, slash));
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (parsed.zone !== "") throw fail("IPv6 zones cannot be present in a prefix");
  const bitsText = raw.slice(slash + 1);
  // Go accepts a plain decimal number only (no sign, no leading zeros).
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) throw fail(`bad bits after slash: ${goQuote(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > parsed.addr.length * 8) throw fail("prefix length out of range");
  if (isV4InV6(parsed.addr)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(raw)} is not allowed`);
  return { addr: parsed.addr, bits };
}

/** The cidr() conversion: upstream wraps parseCIDR's error once more. */
function toCIDR(raw: string): Prefix {
  try {
    return parseCIDR(raw);
  } catch (err) {
    throw new Error(`network address parse error during conversion from string: ${(err as Error).message}`);
  }
}

function masked(p: Prefix): Prefix {
  const addr = new Uint8Array(p.addr);
  for (let bit = p.bits; bit < addr.length * 8; bit++)
    addr[bit >> 3] = addr[bit >> 3]! & ~(0x80 >> (bit & 7));
  return { addr, bits: p.bits };
}

function prefixContains(p: Prefix, a: Addr): boolean {
  if (p.addr.length !== a.length) return false;
  for (let bit = 0; bit < p.bits; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((p.addr[bit >> 3]! & m) !== (a[bit >> 3]! & m)) return false;
  }
  return true;
}

const sameAddr = (a: Addr, b: Addr) => a.length === b.length && a.every((x, i) => x === b[i]);
const formatPrefix = (p: Prefix) => `${formatAddr(p.addr)}/${p.bits}`;

const ipValue = (a: Addr) => newValue(IP_DESC, { text: formatAddr(a) });
const cidrValue = (p: Prefix) => newValue(CIDR_DESC, { text: formatPrefix(p) });
// Values hold canonical text; reading one back parses that text (cheap, and it also rejects a
// hand-built `net.IP{text: ...}` message that never went through ip()).
const addrOf = (v: unknown) => parseIP(fieldsOf<{ text: string }>(v).text);
const prefixOf = (v: unknown) => parseCIDR(fieldsOf<{ text: string }>(v).text);

const family = (a: Addr) => (a.length === 4 ? 4n : 6n);
const isLoopback = (a: Addr) => (a.length === 4 ? a[0] === 127 : a.every((b, i) => b === (i === 15 ? 1 : 0)));
const isMulticast = (a: Addr) => (a.length === 4 ? (a[0]! & 0xf0) === 0xe0 : a[0] === 0xff);
const isLinkLocalUnicast = (a: Addr) =>
  a.length === 4 ? a[0] === 169 && a[1] === 254 : a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
const isLinkLocalMulticast = (a: Addr) =>
  a.length === 4 ? a[0] === 224 && a[1] === 0 && a[2] === 0 : a[0] === 0xff && (a[1]! & 0x0f) === 0x02;
const isUnspecified = (a: Addr) => a.every((b) => b === 0);
const isGlobalUnicast = (a: Addr) => {
  if (a.length === 4 && (isUnspecified(a) || a.every((b) => b === 255))) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
};

const ipPredicate = (name: string, test: (a: Addr) => boolean) =>
  celMethod(name, IP_TYPE, [], CelScalar.BOOL, function () {
    return test(addrOf(this));
  });

function containsCIDR(outer: Prefix, inner: Prefix): boolean {
  // As upstream: the outer network, masked, must equal the inner address taken at the outer length
  // (the inner address is not masked), and the inner prefix must be at least as long.
  return sameAddr(masked(outer).addr, inner.addr) && outer.bits <= inner.bits;
}

export const netFuncs = [
  celFunc("ip", [CelScalar.STRING], IP_TYPE, (s: string) => ipValue(parseIP(s))),
  celFunc("isIP", [CelScalar.STRING], CelScalar.BOOL, accepts(parseIP)),
  celFunc("ip.isCanonical", [CelScalar.STRING], CelScalar.BOOL, (s: string) => formatAddr(parseIP(s)) === s),
  celFunc("string", [IP_TYPE], CelScalar.STRING, (v: unknown) => formatAddr(addrOf(v))),
  celMethod("family", IP_TYPE, [], CelScalar.INT, function () {
    return family(addrOf(this));
  }),
  ipPredicate("isUnspecified", isUnspecified),
  ipPredicate("isLoopback", isLoopback),
  ipPredicate("isLinkLocalMulticast", isLinkLocalMulticast),
  ipPredicate("isLinkLocalUnicast", isLinkLocalUnicast),
  ipPredicate("isGlobalUnicast", isGlobalUnicast),

  celFunc("cidr", [CelScalar.STRING], CIDR_TYPE, (s: string) => cidrValue(toCIDR(s))),
  celFunc("isCIDR", [CelScalar.STRING], CelScalar.BOOL, accepts(parseCIDR)),
  celFunc("string", [CIDR_TYPE], CelScalar.STRING, (v: unknown) => formatPrefix(prefixOf(v))),
  celMethod("containsIP", CIDR_TYPE, [CelScalar.STRING], CelScalar.BOOL, function (s: string) {
    return prefixContains(prefixOf(this), parseIP(s));
  }),
  celMethod("containsIP", CIDR_TYPE, [IP_TYPE], CelScalar.BOOL, function (ip: unknown) {
    return prefixContains(prefixOf(this), addrOf(ip));
  }),
  celMethod("containsCIDR", CIDR_TYPE, [CelScalar.STRING], CelScalar.BOOL, function (s: string) {
    return containsCIDR(prefixOf(this), toCIDR(s));
  }),
  celMethod("containsCIDR", CIDR_TYPE, [CIDR_TYPE], CelScalar.BOOL, function (c: unknown) {
    return containsCIDR(prefixOf(this), prefixOf(c));
  }),
  celMethod("ip", CIDR_TYPE, [], IP_TYPE, function () {
    return ipValue(prefixOf(this).addr);
  }),
  celMethod("prefixLength", CIDR_TYPE, [], CelScalar.INT, function () {
    return BigInt(prefixOf(this).bits);
  }),
  celMethod("masked", CIDR_TYPE, [], CIDR_TYPE, function () {
    return cidrValue(masked(prefixOf(this)));
  }),
];
