// The Kubernetes CEL `url` library. Kubernetes validates with Go's url.ParseRequestURI (an absolute
// URI or an absolute path) and reads the parts from url.Parse; this module follows the rules of those
// two functions, with their error texts, on JavaScript strings (bytes above 0x7F are UTF-8).
import { CelScalar, celFunc, celMethod, listType, mapType } from "@bufbuild/cel";
import { goQuote } from "./goquote.js";
import { accepts, fieldsOf, newValue, URL_DESC, URL_TYPE } from "./types.js";

type Mode = "path" | "host" | "zone" | "user" | "query" | "fragment";

export interface GoURL {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);

function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    if (mode === "path") return c === "?";
    if (mode === "user") return "@/?:".includes(c);
    if (mode === "query") return true;
    if (mode === "fragment") return false;
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

class EscapeError extends Error {
  constructor(s: string) {
    super(`invalid URL escape ${goQuote(s)}`);
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function percentDecode(s: string, mode: Mode): string {
  let escapes = 0;
  let plus = false;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === "%") {
      escapes++;
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) throw new EscapeError(s.slice(i, i + 3));
      const byte = Number.parseInt(s.slice(i + 1, i + 3), 16);
      // In a host only non-ASCII bytes may be %-encoded (and %25, the zone separator).
      if (mode === "host" && byte < 0x80 && s.slice(i, i + 3) !== "%25")
        throw new EscapeError(s.slice(i, i + 3));
      if (mode === "zone" && s.slice(i, i + 3) !== "%25" && byte !== 0x20) {
        if (byte < 0x80 && shouldEscape(String.fromCharCode(byte), "host"))
          throw new EscapeError(s.slice(i, i + 3));
        if (byte >= 0x80) throw new EscapeError(s.slice(i, i + 3));
      }
      i += 3;
    } else {
      if (c === "+") plus = mode === "query";
      else if ((mode === "host" || mode === "zone") && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode))
        throw new Error(`invalid character ${goQuote(c)} in host name`);
      i++;
    }
  }
  if (escapes === 0 && !plus) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "+" && mode === "query") {
      bytes.push(0x20);
    } else {
      const code = s.codePointAt(i)!;
      if (code > 0xffff) i++;
      bytes.push(...utf8.encode(String.fromCodePoint(code)));
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

function percentEncode(s: string, mode: Mode): string {
  let out = "";
  for (const c of s) {
    if (c === " " && mode === "query") out += "+";
    else if (c.charCodeAt(0) < 0x80 && !shouldEscape(c, mode)) out += c;
    else for (const b of utf8.encode(c)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(c)) continue;
    if (shouldEscape(c, mode)) return false;
  }
  return true;
}

function splitScheme(raw: string): [scheme: string, rest: string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new Error("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

const validOptionalPort = (port: string) => port === "" || /^:[0-9]*$/.test(port);

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, close).indexOf("%25");
    if (zone >= 0)
      return (
        percentDecode(host.slice(0, zone), "host") +
        percentDecode(host.slice(zone, close), "zone") +
        percentDecode(host.slice(close), "host")
      );
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0 && !validOptionalPort(host.slice(colon)))
      throw new Error(`invalid port ${goQuote(host.slice(colon))} after host`);
  }
  return percentDecode(host, "host");
}

const validUserinfo = (s: string) => /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!validUserinfo(userinfo)) throw new Error("net/url: invalid userinfo");
    for (const part of userinfo.split(":").slice(0, 2)) percentDecode(part, "user");
  }
  return host;
}

function parseInner(raw: string, viaRequest: boolean): GoURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error("net/url: invalid control character in URL");
  if (raw === "" && viaRequest) throw new Error("empty url");
  const url: GoURL = { scheme: "", opaque: "", host: "", path: "", rawPath: "", rawQuery: "" };
  if (raw === "*") {
    url.path = "*";
    return url;
  }
  let [scheme, rest] = splitScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    if (url.scheme !== "") {
      url.opaque = rest;
      return url;
    }
    if (viaRequest) throw new Error("invalid URI for request");
    if ((rest.split("/")[0] ?? "").includes(":"))
      throw new Error("first path segment in URL cannot contain colon");
  }
  if ((url.scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    url.host = parseAuthority(authority);
  }
  url.path = percentDecode(rest, "path");
  url.rawPath = percentEncode(url.path, "path") === rest ? "" : rest;
  return url;
}

/** Go's url.ParseRequestURI; throws `parse "URL": reason`. */
export function parseRequestURI(raw: string): GoURL {
  try {
    return parseInner(raw, true);
  } catch (err) {
    throw new Error(`parse ${goQuote(raw)}: ${(err as Error).message}`);
  }
}

/** Go's url.Parse (a fragment after '#' is cut off and checked, not kept). */
function parseURL(raw: string): GoURL {
  const hash = raw.indexOf("#");
  const main = hash < 0 ? raw : raw.slice(0, hash);
  let url: GoURL;
  try {
    url = parseInner(main, false);
  } catch (err) {
    throw new Error(`parse ${goQuote(main)}: ${(err as Error).message}`);
  }
  if (hash >= 0) {
    try {
      percentDecode(raw.slice(hash + 1), "fragment");
    } catch (err) {
      throw new Error(`parse ${goQuote(raw)}: ${(err as Error).message}`);
    }
  }
  return url;
}

function escapedPath(u: GoURL): string {
  if (u.rawPath !== "" && validEncoded(u.rawPath, "path")) {
    try {
      if (percentDecode(u.rawPath, "path") === u.path) return u.rawPath;
    } catch {
      // fall through to the computed escaping
    }
  }
  if (u.path === "*") return "*";
  return percentEncode(u.path, "path");
}

function splitHostPort(hostPort: string): [host: string, port: string] {
  let host = hostPort;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, port];
}

/** Go's url.ParseQuery, dropping malformed pairs as URL.Query() does. */
function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of rawQuery.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    try {
      const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq), "query");
      const value = percentDecode(eq < 0 ? "" : pair.slice(eq + 1), "query");
      out.set(key, [...(out.get(key) ?? []), value]);
    } catch {
      // Go skips a pair it cannot unescape
    }
  }
  return out;
}

/** The url() conversion: ParseRequestURI must accept the text, the parts come from Parse. */
function toURL(s: string): GoURL {
  try {
    parseRequestURI(s);
    return parseURL(s);
  } catch (err) {
    throw new Error(`URL parse error during conversion from string: ${(err as Error).message}`);
  }
}

// A URL value keeps its source text; the parts are recomputed on access, memoised per text.
const parsed = new Map<string, GoURL>();
function urlOf(v: unknown): GoURL {
  const text = fieldsOf<{ text: string }>(v).text;
  let u = parsed.get(text);
  if (!u) {
    u = toURL(text);
    if (parsed.size < 1024) parsed.set(text, u);
  }
  return u;
}

const part = (name: string, get: (u: GoURL) => string) =>
  celMethod(name, URL_TYPE, [], CelScalar.STRING, function () {
    return get(urlOf(this));
  });

export const urlFuncs = [
  celFunc("url", [CelScalar.STRING], URL_TYPE, (s: string) => {
    toURL(s);
    return newValue(URL_DESC, { text: s });
  }),
  celFunc("isURL", [CelScalar.STRING], CelScalar.BOOL, accepts(parseRequestURI)),
  part("getScheme", (u) => u.scheme),
  part("getHost", (u) => u.host),
  part("getHostname", (u) => splitHostPort(u.host)[0]),
  part("getPort", (u) => splitHostPort(u.host)[1]),
  part("getEscapedPath", escapedPath),
  celMethod("getQuery", URL_TYPE, [], mapType(CelScalar.STRING, listType(CelScalar.STRING)), function () {
    return parseQuery(urlOf(this).rawQuery);
  }),
];
