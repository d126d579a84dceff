// The Kubernetes CEL libraries of the VAP evaluator, proved with the test tables of upstream:
// kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/cel/library/{ip,cidr,format}_test.go, the
// "stdlib list functions", "stdlib regex functions", "URL parsing" and "optionals" cases of
// apiextensions-apiserver/pkg/apiserver/schema/cel/validation_test.go, and cel-go ext/sets_test.go.
// Each row is the upstream expression with its upstream result: `true` rows are expressions upstream
// evaluates to true; `value` rows compare our result with upstream's; `error` rows give upstream's
// exact runtime error text.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileCel, toCel } from "../../src/admission/vap/cel.js";
import { evaluateVap, type VapSet } from "../../src/admission/vap/evaluate.js";
import { parsePolicyDocs } from "../../src/admission/vap/findings.js";
import { AUTHORIZER_UNSUPPORTED, authorizerValue } from "../../src/admission/vap/lib/authorizer.js";
import { FORMAT_NAMES } from "../../src/admission/vap/lib/format.js";
import { goodContainer, pod, review } from "./suite.js";

function run(expr: string, self: unknown = {}) {
  return compileCel(expr)({ self: toCel(self) });
}
function expectTrue(expr: string, self?: unknown) {
  expect(run(expr, self), expr).toEqual({ ok: true, value: true });
}
function expectError(expr: string, message: string | RegExp, self?: unknown) {
  const r = run(expr, self);
  expect(r.ok, expr).toBe(false);
  if (!r.ok) typeof message === "string" ? expect(r.error).toBe(message) : expect(r.error).toMatch(message);
}

describe("ip library (upstream ip_test.go)", () => {
  // [expression, upstream result]; IP results are compared through string() and their type.
  const ips: Array<[string, string]> = [
    ['ip("192.168.0.1")', "192.168.0.1"],
    ['ip("2001:db8::68")', "2001:db8::68"],
  ];
  it.each(ips)("%s is the address %s of type net.IP", (expr, want) => {
    expectTrue(`string(${expr}) == "${want}" && type(${expr}) == net.IP`);
  });
  const values: Array<[string, boolean | bigint | string]> = [
    ['isIP("192.168.0.1")', true],
    ['isIP("192.168.0.1.0")', false],
    ['ip.isCanonical("127.0.0.1")', true],
    ['ip("192.168.0.1").family()', 4n],
    ['ip("0.0.0.0").isUnspecified()', true],
    ['ip("127.0.0.1").isUnspecified()', false],
    ['ip("127.0.0.1").isLoopback()', true],
    ['ip("1.2.3.4").isLoopback()', false],
    ['ip("224.0.0.1").isLinkLocalMulticast()', true],
    ['ip("224.0.1.1").isLinkLocalMulticast()', false],
    ['ip("169.254.169.254").isLinkLocalUnicast()', true],
    ['ip("192.168.0.1").isLinkLocalUnicast()', false],
    ['ip("192.168.0.1").isGlobalUnicast()', true],
    ['ip("255.255.255.255").isGlobalUnicast()', false],
    ['isIP("2001:db8::68")', true],
    ['isIP("2001:db8:::68")', false],
    ['ip.isCanonical("2001:db8::68")', true],
    ['ip.isCanonical("2001:DB8::68")', false],
    ['ip("2001:db8::68").family()', 6n],
    ['ip("::").isUnspecified()', true],
    ['ip("::1").isUnspecified()', false],
    ['ip("::1").isLoopback()', true],
    ['ip("2001:db8::abcd").isLoopback()', false],
    ['ip("ff02::1").isLinkLocalMulticast()', true],
    ['ip("fd00::1").isLinkLocalMulticast()', false],
    ['ip("fe80::1").isLinkLocalUnicast()', true],
    ['ip("fd80::1").isLinkLocalUnicast()', false],
    ['ip("2001:db8::abcd").isGlobalUnicast()', true],
    ['ip("ff00::1").isGlobalUnicast()', false],
    ['string(ip("192.168.0.1"))', "192.168.0.1"],
    ['type(ip("192.168.0.1")) == net.IP', true],
  ];
  it.each(values)("%s == %s", (expr, want) => {
    expect(run(expr)).toEqual({ ok: true, value: want });
  });
  const errors: Array<[string, string]> = [
    [
      'ip("192.168.0.1.0")',
      'IP Address "192.168.0.1.0" parse error during conversion from string: ParseAddr("192.168.0.1.0"): IPv4 address too long',
    ],
    [
      'ip.isCanonical("127.0.0.1.0")',
      'IP Address "127.0.0.1.0" parse error during conversion from string: ParseAddr("127.0.0.1.0"): IPv4 address too long',
    ],
    [
      'ip("2001:db8:::68")',
      'IP Address "2001:db8:::68" parse error during conversion from string: ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit (at ":68")',
    ],
    [
      'ip.isCanonical("2001:db8:::68")',
      'IP Address "2001:db8:::68" parse error during conversion from string: ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit (at ":68")',
    ],
    // The documented rejections of ip(): zones, IPv4-mapped addresses, leading zeros.
    ['ip("fe80::1%eth0")', 'IP address "fe80::1%eth0" with zone value is not allowed'],
    ['ip("::ffff:1.2.3.4")', 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed'],
    [
      'ip("127.0.0.01")',
      'IP Address "127.0.0.01" parse error during conversion from string: ParseAddr("127.0.0.01"): IPv4 field has octet with leading zero',
    ],
  ];
  it.each(errors)("%s fails: %s", (expr, message) => expectError(expr, message));
  it("a CIDR is not an IP (upstream: no matching overload, a compile error there)", () => {
    expectError('isIP(cidr("192.168.0.0/24"))', /overload|isIP/);
  });
  it("canonical IPv6 text follows RFC 5952 like Go", () => {
    expectTrue('string(ip("2001:0db8:0:0:1:0:0:1")) == "2001:db8::1:0:0:1"');
    expectTrue('string(ip("2001:db8:0:1:1:1:1:1")) == "2001:db8:0:1:1:1:1:1"');
    expectTrue('!ip.isCanonical("2001:db8::0:0:0:abcd") && ip.isCanonical("2001:db8::abcd")');
  });
});

describe("cidr library (upstream cidr_test.go)", () => {
  const cidrs: Array<[string, string]> = [
    ['cidr(dyn("192.168.0.0/24"))', "192.168.0.0/24"],
    ['cidr("192.168.0.0/24").masked()', "192.168.0.0/24"],
    ['cidr("192.168.0.1/24").masked()', "192.168.0.0/24"],
    ['cidr("2001:db8::/32")', "2001:db8::/32"],
    ['cidr("2001:db8::/32").masked()', "2001:db8::/32"],
    ['cidr("2001:db8:1::/32").masked()', "2001:db8::/32"],
  ];
  it.each(cidrs)("%s is the network %s of type net.CIDR", (expr, want) => {
    expectTrue(`string(${expr}) == "${want}" && type(${expr}) == net.CIDR`);
  });
  const ips: Array<[string, string]> = [
    ['cidr("192.168.0.0/24").ip()', "192.168.0.0"],
    ['cidr("2001:db8::/32").ip()', "2001:db8::"],
  ];
  it.each(ips)("%s is the address %s", (expr, want) => {
    expectTrue(`${expr} == ip("${want}") && type(${expr}) == net.IP`);
  });
  const values: Array<[string, boolean | bigint | string]> = [
    ['cidr("192.168.0.0/24").containsIP(ip("192.168.0.1"))', true],
    ['cidr("192.168.0.0/24").containsIP(ip("192.168.1.1"))', false],
    ['cidr("192.168.0.0/24").containsIP("192.168.0.1")', true],
    ['cidr("192.168.0.0/24").containsIP("192.168.1.1")', false],
    ['cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/25"))', true],
    ['cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/23"))', false],
    ['cidr("192.168.0.0/24").containsCIDR("192.168.0.0/25")', true],
    ['cidr("192.168.0.0/24").containsCIDR("192.168.0.0/23")', false],
    ['cidr("192.168.0.0/24").prefixLength()', 24n],
    ['cidr("2001:db8::/32").containsIP(ip("2001:db8::1"))', true],
    ['cidr("2001:db8::/32").containsIP(ip("2001:dc8::1"))', false],
    ['cidr("2001:db8::/32").containsIP("2001:db8::1")', true],
    ['cidr("2001:db8::/32").containsIP("2001:dc8::1")', false],
    ['cidr("2001:db8::/32").containsCIDR(cidr("2001:db8::/33"))', true],
    ['cidr("2001:db8::/32").containsCIDR(cidr("2001:db8::/31"))', false],
    ['cidr("2001:db8::/32").containsCIDR("2001:db8::/33")', true],
    ['cidr("2001:db8::/32").containsCIDR("2001:db8::/31")', false],
    ['cidr("2001:db8::/32").prefixLength()', 32n],
    ['string(cidr("192.168.0.0/24"))', "192.168.0.0/24"],
    ['type(cidr("192.168.0.0/24")) == net.CIDR', true],
    // Documented examples of cidr.go.
    ['cidr("192.168.0.0/24") == cidr("192.168.0.0/24").masked()', true],
    ['cidr("192.168.0.1/24") == cidr("192.168.0.1/24").masked()', false],
    ['cidr("::1/128").ip().family()', 6n],
    ['isCIDR("192.168.0.0/16") && isCIDR("::1/128")', true],
    ['isCIDR("192.168.0.0/33") || isCIDR("::1/129")', false],
    // Upstream compares the masked outer network with the inner address taken as is, so an inner
    // network whose address has bits past the outer prefix is not contained.
    ['cidr("192.168.0.0/16").containsCIDR("192.168.10.0/24")', false],
  ];
  it.each(values)("%s == %s", (expr, want) => {
    expect(run(expr)).toEqual({ ok: true, value: want });
  });
  const errors: Array<[string, string]> = [
    [
      'cidr("192.168.0.0/")',
      'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/"): bad bits after slash: ""',
    ],
    [
      'cidr("2001:db8::/")',
      'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("2001:db8::/"): bad bits after slash: ""',
    ],
    [
      'cidr("::ffff:1.2.3.4/120")',
      'network address parse error during conversion from string: IPv4-mapped IPv6 address "::ffff:1.2.3.4/120" is not allowed',
    ],
  ];
  it.each(errors)("%s fails: %s", (expr, message) => expectError(expr, message));
  it("cidr(int) has no overload (upstream: a compile error)", () =>
    expectError("cidr(192168)", /overload|cidr/));
});

describe("url library (upstream validation_test.go, URL parsing)", () => {
  const self = { url: "https://user:pass@kubernetes.io:80/docs/home?k1=a&k2=b&k2=c#anchor" };
  const valid = [
    "url('/path').getScheme() == ''",
    "url('https://example.com/').getScheme() == 'https'",
    "url('https://example.com:80/').getHost() == 'example.com:80'",
    "url('https://example.com/').getHost() == 'example.com'",
    "url('https://[::1]:80/').getHost() == '[::1]:80'",
    "url('https://[::1]/').getHost() == '[::1]'",
    "url('/path').getHost() == ''",
    "url('https://example.com:80/').getHostname() == 'example.com'",
    "url('https://127.0.0.1/').getHostname() == '127.0.0.1'",
    "url('https://[::1]/').getHostname() == '::1'",
    "url('/path').getHostname() == ''",
    "url('https://example.com:80/').getPort() == '80'",
    "url('https://example.com/').getPort() == ''",
    "url('/path').getPort() == ''",
    "url('https://example.com/path').getEscapedPath() == '/path'",
    "url('https://example.com/with space/').getEscapedPath() == '/with%20space/'",
    "url('https://example.com').getEscapedPath() == ''",
    "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == { 'k1': ['a'], 'k2': ['b', 'c']}",
    "url('https://example.com/path?key with spaces=value with spaces').getQuery() == { 'key with spaces': ['value with spaces']}",
    "url('https://example.com/path?').getQuery() == {}",
    "url('https://example.com/path').getQuery() == {}",
    "url(self.url).getScheme() == 'https'",
    "url(self.url).getHost() == 'kubernetes.io:80'",
    "url(self.url).getHostname() == 'kubernetes.io'",
    "url(self.url).getPort() == '80'",
    "url(self.url).getEscapedPath() == '/docs/home'",
    "url(self.url).getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
    "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
    "isURL('/path') == true",
    "isURL('https://a:b:c/') == false",
    "isURL('../relative-path') == false",
    // Documented examples of urls.go.
    "url('https://[::1]:80/').getHostname() == '::1'",
    "url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'",
    "type(url('/absolute-path')) == kubernetes.URL",
  ];
  it.each(valid)("%s", (expr) => expectTrue(expr, self));
  it("url() rejects what ParseRequestURI rejects, with Go's message", () => {
    expectError(
      "url('https://a:b:c/')",
      'URL parse error during conversion from string: parse "https://a:b:c/": invalid port ":c" after host',
    );
    expectError(
      "url('../relative-path')",
      'URL parse error during conversion from string: parse "../relative-path": invalid URI for request',
    );
  });
});

describe("format library (upstream format_test.go)", () => {
  const none: string[] = [
    'format.dns1123Label().validate("my-label-name")',
    'format.dns1123Subdomain().validate("apiextensions.k8s.io")',
    'format.qualifiedName().validate("apiextensions.k8s.io/v1beta1")',
    'format.dns1123LabelPrefix().validate("my-label-prefix-")',
    'format.dns1123SubdomainPrefix().validate("mysubdomain.prefix.-")',
    'format.dns1035LabelPrefix().validate("my-label-prefix-")',
    'format.uri().validate("http://example.com")',
    'format.uuid().validate("123e4567-e89b-12d3-a456-426614174000")',
    'format.byte().validate("aGVsbG8=")',
    'format.date().validate("2021-01-01")',
    'format.datetime().validate("2021-01-01T00:00:00Z")',
    'format.dns1123Label().validate("my-label-name")',
    'format.dns1123Subdomain().validate("example.com")',
    'format.dns1035Label().validate("my-label-name")',
    'format.qualifiedName().validate("my.name")',
    'format.byte().validate("aGVsbG8=")',
    'format.date().validate("2020-01-01")',
    'format.datetime().validate("2020-01-01T00:00:00Z")',
    'format.labelValue().validate("my-cool-label-Value")',
  ];
  it.each(none)("%s == optional.none()", (expr) => expectTrue(`${expr} == optional.none()`));

  const label =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  const subdomain =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  const dns1035 =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  const some: Array<[string, string[]]> = [
    ['format.dns1123Label().validate("contains a space")', [label]],
    ['format.dns1123Subdomain().validate("contains a space")', [subdomain]],
    ['format.dns1035Label().validate("contains a space")', [dns1035]],
    [
      'format.qualifiedName().validate("contains a space")',
      [
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    ['format.dns1123LabelPrefix().validate("contains a space-")', [label]],
    ['format.dns1123SubdomainPrefix().validate("contains a space-")', [subdomain]],
    ['format.dns1035LabelPrefix().validate("contains a space-")', [dns1035]],
    ['format.byte().validate("aGVsbG8")', ["invalid base64"]],
    ['format.date().validate("2020-01-32")', ["invalid date"]],
    ['format.datetime().validate("2020-01-32T00:00:00Z")', ["invalid datetime"]],
    [
      'format.labelValue().validate("my-cool-label-Value!!\\n\\n!!!")',
      [
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
  ];
  it.each(some)("%s gives the upstream messages", (expr, messages) => {
    const r = run(`${expr}.value()`);
    expect(r.ok && [...(r.value as Iterable<unknown>)]).toEqual(messages);
    expectTrue(`${expr}.hasValue()`);
  });
  it('format.named("unknown").hasValue() is false', () =>
    expectTrue('format.named("unknown").hasValue() == false'));

  const names = FORMAT_NAMES;
  it("knows the 13 upstream format names", () => {
    expect([...names].sort()).toEqual(
      [
        "byte",
        "date",
        "datetime",
        "dns1035Label",
        "dns1035LabelPrefix",
        "dns1123Label",
        "dns1123LabelPrefix",
        "dns1123Subdomain",
        "dns1123SubdomainPrefix",
        "labelValue",
        "qualifiedName",
        "uri",
        "uuid",
      ].sort(),
    );
  });
  const lookups = names.flatMap((l) => [
    `format.named("${l}").hasValue()`,
    `format.named("${l}").value() == format.${l}()`,
    ...names.filter((r) => r !== l).map((r) => `(format.${l}() == format.${r}()) == false`),
  ]);
  it.each(lookups)("%s", (expr) => expectTrue(expr));
});

describe("list library (upstream validation_test.go, stdlib list functions)", () => {
  const self = {
    ints: [1, 2, 2, 3],
    unsortedInts: [2, 1],
    emptyInts: [],
    doubles: [1.5, 2.5, 2.5, 3.5],
    unsortedDoubles: [2.5, 1.5],
    emptyDoubles: [],
    strings: ["a", "b", "b", "c"],
    unsortedStrings: ["b", "a"],
    emptyStrings: [],
    objs: [
      { f1: "a", f2: "a" },
      { f1: "a", f2: "b" },
      { f1: "a", f2: "b" },
      { f1: "a", f2: "c" },
    ],
  };
  // Upstream's doubles are 1.0, 2.0, ...; JSON cannot keep 1.0 a double, so these use .5 values.
  const valid = [
    "self.ints.sum() == 8",
    "self.ints.min() == 1",
    "self.ints.max() == 3",
    "self.emptyInts.sum() == 0",
    "self.ints.isSorted()",
    "self.emptyInts.isSorted()",
    "self.unsortedInts.isSorted() == false",
    "self.ints.indexOf(2) == 1",
    "self.ints.lastIndexOf(2) == 2",
    "self.ints.indexOf(10) == -1",
    "self.ints.lastIndexOf(10) == -1",
    "self.doubles.sum() == 10.0",
    "self.doubles.min() == 1.5",
    "self.doubles.max() == 3.5",
    "self.doubles.isSorted()",
    "self.unsortedDoubles.isSorted() == false",
    "self.doubles.indexOf(2.5) == 1",
    "self.doubles.lastIndexOf(2.5) == 2",
    "self.doubles.indexOf(10.0) == -1",
    "self.doubles.lastIndexOf(10.0) == -1",
    "self.strings.min() == 'a'",
    "self.strings.max() == 'c'",
    "self.strings.isSorted()",
    "self.emptyStrings.isSorted()",
    "self.unsortedStrings.isSorted() == false",
    "self.strings.indexOf('b') == 1",
    "self.strings.lastIndexOf('b') == 2",
    "self.strings.indexOf('x') == -1",
    "self.strings.lastIndexOf('x') == -1",
    "[[1], [2]].indexOf([1]) == 0",
    "[{'a': 1}, {'b': 2}].lastIndexOf({'b': 2}) == 1",
    "self.objs.indexOf(self.objs[1]) == 1",
    "self.objs.lastIndexOf(self.objs[1]) == 2",
    "([0] + self.emptyInts).min() == 0",
    "dyn([]).sum() == 0",
    "dyn([1, 2]).sum() == 3",
    "dyn([1.0, 2.0]).sum() == 3.0",
    "[].sum() == 0",
  ];
  it.each(valid)("%s", (expr) => expectTrue(expr, self));
  const errors: Array<[string, string]> = [
    ["self.emptyInts.min() == 1", "min called on empty list"],
    ["self.emptyInts.max() == 3", "max called on empty list"],
    ["self.emptyDoubles.min() == 1.0", "min called on empty list"],
    ["self.emptyDoubles.max() == 3.0", "max called on empty list"],
    ["self.emptyStrings.min() == 'a'", "min called on empty list"],
    ["self.emptyStrings.max() == 'c'", "max called on empty list"],
  ];
  it.each(errors)("%s fails: %s", (expr, message) => expectError(expr, message, self));
  it("sum, min and max reject lists upstream's type checker rejects", () => {
    expectError("['a', 'b'].sum() == 'c'", /sum/);
    expectError("[[1], [2]].min() == [1]", /ordering/);
  });
});

describe("regex library (upstream validation_test.go, stdlib regex functions)", () => {
  const self = { str: "this is a 123 string 456" };
  const valid = [
    "self.str.find('[0-9]+') == '123'",
    "self.str.find('[0-9]+') != '456'",
    "self.str.find('xyz') == ''",
    "self.str.findAll('[0-9]+') == ['123', '456']",
    "self.str.findAll('[0-9]+', 0) == []",
    "self.str.findAll('[0-9]+', 1) == ['123']",
    "self.str.findAll('[0-9]+', 2) == ['123', '456']",
    "self.str.findAll('[0-9]+', 3) == ['123', '456']",
    "self.str.findAll('[0-9]+', -1) == ['123', '456']",
    "self.str.findAll('xyz') == []",
    "self.str.findAll('xyz', 1) == []",
  ];
  it.each(valid)("%s", (expr) => expectTrue(expr, self));
  it("an invalid pattern is an error (upstream: at compile time)", () => {
    expectError("self.str.find(')') == ''", /\)/, self);
    expectError("self.str.findAll(')', 1) == []", /\)/, self);
  });
});

describe("sets library (cel-go ext/sets_test.go)", () => {
  const valid = [
    "sets.contains(x, [1, 2, 3])",
    "sets.contains(x, [1, 1, 1, 1, 1])",
    "sets.contains([], [])",
    "sets.contains([1], [])",
    "sets.contains([1], [1])",
    "sets.contains([1], [1, 1])",
    "sets.contains([1, 1], [1])",
    "sets.contains([2, 1], [1])",
    "sets.contains([1, 2, 3, 4], [2, 3])",
    "sets.contains([1], [1.0, 1])",
    "sets.contains([1, 2], [2u, 2.0])",
    "sets.contains([1, 2u], [2, 2.0])",
    "sets.contains([1, 2.0, 3u], [1.0, 2u, 3])",
    "sets.contains([[1], [2, 3]], [[2, 3.0]])",
    "!sets.contains([1], [2])",
    "!sets.contains([1], [1, 2])",
    '!sets.contains([1], ["1", 1])',
    "!sets.contains([1], [1.1, 1u])",
    "sets.equivalent([], [])",
    "sets.equivalent([1], [1])",
    "sets.equivalent([1], [1, 1])",
    "sets.equivalent([1, 1], [1])",
    "sets.equivalent([1], [1u, 1.0])",
    "sets.equivalent([1, 2, 3], [3u, 2.0, 1])",
    "sets.equivalent([[1.0], [2, 3]], [[1], [2, 3.0]])",
    "!sets.equivalent([2, 1], [1])",
    "!sets.equivalent([1], [1, 2])",
    "!sets.equivalent([1, 2], [2u, 2, 2.0])",
    "!sets.equivalent([1, 2], [1u, 2, 2.3])",
    "sets.intersects([1], [1])",
    "sets.intersects([1], [1, 1])",
    "sets.intersects([1, 1], [1])",
    "sets.intersects([2, 1], [1])",
    "sets.intersects([1], [1, 2])",
    "sets.intersects([1], [1.0, 2])",
    "sets.intersects([1, 2], [2u, 2, 2.0])",
    "sets.intersects([1, 2], [1u, 2, 2.3])",
    "sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])",
    "!sets.intersects([], [])",
    "!sets.intersects([1], [])",
    "!sets.intersects([1], [2])",
    '!sets.intersects([1], ["1", 2])',
    "!sets.intersects([1], [1.1, 2u])",
  ];
  it.each(valid)("%s", (expr) => {
    expect(compileCel(expr)({ x: toCel([5, 4, 3, 2, 1]) })).toEqual({ ok: true, value: true });
  });
});

describe("optional values (upstream validation_test.go, optionals: the function forms)", () => {
  const valid = [
    "optional.ofNonZeroValue(1).hasValue()",
    "optional.ofNonZeroValue(uint(1)).hasValue()",
    "optional.ofNonZeroValue(1.1).hasValue()",
    "optional.ofNonZeroValue('a').hasValue()",
    "optional.ofNonZeroValue(true).hasValue()",
    "optional.ofNonZeroValue(['a']).hasValue()",
    "optional.ofNonZeroValue({'k': 'v'}).hasValue()",
    "optional.ofNonZeroValue(timestamp('2011-08-18T00:00:00.000+01:00')).hasValue()",
    "optional.ofNonZeroValue(duration('19h3m37s10ms')).hasValue()",
    "optional.ofNonZeroValue(null) == optional.none()",
    "optional.ofNonZeroValue(0) == optional.none()",
    "optional.ofNonZeroValue(uint(0)) == optional.none()",
    "optional.ofNonZeroValue(0.0) == optional.none()",
    "optional.ofNonZeroValue('') == optional.none()",
    "optional.ofNonZeroValue(false) == optional.none()",
    "optional.ofNonZeroValue([]) == optional.none()",
    "optional.ofNonZeroValue({}) == optional.none()",
    "optional.ofNonZeroValue(timestamp('0001-01-01T00:00:00.000+00:00')) == optional.none()",
    "optional.ofNonZeroValue(duration('0s')) == optional.none()",
    // The value forms of the upstream rows written without the `.?` syntax.
    "optional.of('value').or(optional.of('nope')) == optional.of('value')",
    "optional.of('value').orValue('') == 'value'",
    "optional.none().or(optional.of('nope')) == optional.of('nope')",
    "optional.none().orValue('nope') == 'nope'",
    "optional.none().hasValue() == false",
    "optional.of('v') != optional.of('w')",
    "optional.of([1, {'a': 2}]) == optional.of([1.0, {'a': 2u}])",
  ];
  it.each(valid)("%s", (expr) => expectTrue(expr));
  it("value() of none is an error", () =>
    expectError("optional.none().value()", /optional.none\(\) dereference/));
  it("the optional syntax is not parsed by @bufbuild/cel 0.6: a clear compile error", () => {
    expect(() => compileCel("self.?a")).toThrow();
  });
});

describe("authorizer", () => {
  const withAuthorizer = (expr: string) => compileCel(expr)({ authorizer: authorizerValue() });
  it.each([
    "authorizer.group('').resource('pods').namespace('default').name('p').check('create').allowed()",
    "authorizer.group('apps').resource('deployments').subresource('scale').check('update').allowed()",
    "authorizer.path('/healthz').check('get').allowed()",
    "authorizer.serviceAccount('default', 'sa').path('/metrics').check('get').allowed()",
    "authorizer.requestResource.check('delete').allowed()",
  ])("%s fails with a clear error (no RBAC data)", (expr) => {
    expect(withAuthorizer(expr)).toEqual({ ok: false, error: AUTHORIZER_UNSUPPORTED });
  });
  it("the builder calls themselves evaluate", () => {
    const r = withAuthorizer(
      "type(authorizer.group('').resource('pods')) == kubernetes.authorization.ResourceCheck",
    );
    expect(r).toEqual({ ok: true, value: true });
  });
});

describe("the libraries inside a ValidatingAdmissionPolicy", () => {
  const vapSet = (failurePolicy: string, expression: string): VapSet => {
    const docs = [
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: p }
spec:
  failurePolicy: ${failurePolicy}
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods] }
  validations:
    - expression: ${JSON.stringify(expression)}
      message: refused`,
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: b }
spec: { policyName: p, validationActions: [Deny] }`,
    ];
    return { ...parsePolicyDocs(docs.map((d, i) => ({ doc: parse(d), where: `doc${i}` }))), params: [] };
  };
  const request = review(pod("web", "team-a", [goodContainer])).request as never;

  it("an authorizer check denies under failurePolicy Fail and is only recorded under Ignore", () => {
    const expr =
      "authorizer.group('').resource('pods').namespace(object.metadata.namespace).check('create').allowed()";
    const fail = evaluateVap(vapSet("Fail", expr), request);
    expect(fail.denials).toHaveLength(1);
    expect(fail.denials[0]).toContain(AUTHORIZER_UNSUPPORTED);
    const ignore = evaluateVap(vapSet("Ignore", expr), request);
    expect(ignore.denials).toHaveLength(0);
    expect(ignore.errors.join("\n")).toContain(AUTHORIZER_UNSUPPORTED);
  });

  it("ip, cidr, url, sets and format work on the request's object", () => {
    const expr =
      "cidr('10.0.0.0/8').containsIP('10.1.2.3') && url('https://registry.example.com/v2/').getHostname() == 'registry.example.com' && sets.contains(['a', 'b'], [object.metadata.name.substring(0, 1)]) == false && !format.dns1123Label().validate(object.metadata.name).hasValue()";
    expect(evaluateVap(vapSet("Fail", expr), request).denials).toEqual([]);
    const refused = evaluateVap(vapSet("Fail", "isIP(object.metadata.name)"), request);
    expect(refused.denials).toEqual([
      "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: refused",
    ]);
  });
});
