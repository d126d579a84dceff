import { describe, expect, it } from "vitest";
import { parseCondition, unescapeQuoted } from "../../src/runtime/condition/parser.js";
import { RuleEngine } from "../../src/runtime/engine.js";
import type { AuditEvent } from "../../src/runtime/fields/k8saudit.js";
import { loadRules } from "../../src/runtime/rules/loader.js";
import { defaultTables } from "../../src/runtime/sources/index.js";

/** A pod-create audit event with two containers, used by the checks below. */
const POD: AuditEvent = {
  tsNs: 1_700_000_000_000_000_000,
  raw: {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    auditID: "a1",
    stage: "ResponseComplete",
    verb: "create",
    requestURI: "/api/v1/namespaces/dev/pods?dryRun=All&fieldManager=kubectl",
    user: { username: "Alice", groups: ["dev", "system:authenticated"] },
    objectRef: { resource: "pods", namespace: "dev", name: "web" },
    responseStatus: { code: 201 },
    annotations: { "authorization.k8s.io/decision": "allow", "a/b": "slash", "t~x": "tilde" },
    requestObject: {
      spec: {
        hostNetwork: true,
        securityContext: { runAsUser: 1000 },
        containers: [
          {
            name: "app",
            image: "docker.io/library/nginx:1.25@sha256:abc",
            securityContext: { privileged: true },
          },
          {
            name: "side",
            image: "busybox",
            securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
          },
        ],
        volumes: [
          { name: "h", hostPath: { path: "/var/run/docker.sock" } },
          { name: "e", emptyDir: {} },
        ],
      },
    },
  },
};

function check(condition: string, evt: AuditEvent = POD, extra = ""): boolean {
  const text = `${extra}
- rule: t
  desc: t
  condition: ${JSON.stringify(condition)}
  output: out
  priority: INFO
  source: k8s_audit
`;
  const rs = loadRules([{ path: "t.yaml", text }], { tables: defaultTables() });
  if (rs.errors.length > 0) throw new Error(`${rs.errors[0]!.code}: ${rs.errors[0]!.message}`);
  const eng = new RuleEngine(rs, { hostname: "h" });
  return eng.process("k8s_audit", evt, evt.tsNs).length === 1;
}

function loadError(
  condition: string,
  extra = "",
  source = "k8s_audit",
): { code: string; message: string; condCol?: number } {
  const rs = loadRules(
    [
      {
        path: "t.yaml",
        text: `${extra}\n- rule: t\n  desc: t\n  condition: ${JSON.stringify(condition)}\n  output: o\n  priority: INFO\n  source: ${source}\n`,
      },
    ],
    { tables: defaultTables() },
  );
  expect(rs.errors.length).toBeGreaterThan(0);
  return rs.errors[0]!;
}

describe("condition operators", () => {
  it.each([
    ["ka.verb = create", true],
    ["ka.verb == create", true],
    ["ka.verb != create", false],
    ["ka.verb=create and ka.target.resource=pods", true],
    ["ka.user.name contains lic", true],
    ["ka.user.name icontains ALI", true],
    ["ka.user.name contains ALI", false],
    ["ka.user.name startswith Al", true],
    ["ka.user.name endswith ce", true],
    ["ka.user.name glob 'A*e'", true],
    ["ka.user.name glob 'a*'", false],
    ["ka.user.name iglob 'a*'", true],
    ["ka.user.name glob 'Al?ce'", true],
    ["ka.user.name regex 'A[a-z]+'", true],
    ["ka.user.name regex 'lic'", false],
    ["ka.user.name in (Bob, Alice)", true],
    ["ka.user.name in (Bob)", false],
    ["ka.user.name in ()", false],
    ["ka.response.code startswith 2", true],
    ["ka.response.code > 200", true],
    ["ka.response.code < 200", false],
    ["ka.response.code >= 201", true],
    ["ka.response.code <= 200", false],
    ["jevt.rawtime > 0", true],
    ["jevt.rawtime = 0", false],
    ["jevt.rawtime exists", true],
    ["not ka.verb = create", false],
    ["not not ka.verb = create", true],
    ["not(ka.verb = delete)", true],
    ["ka.verb = delete or ka.verb = create", true],
    ["ka.verb = delete or ka.verb = create and ka.user.name = Bob", false],
    ["(ka.verb = delete or ka.verb = create) and ka.user.name = Alice", true],
    ["ka.target.subresource exists", false],
    ["not ka.target.subresource exists", true],
    ["ka.target.subresource != exec", false],
    ["not ka.target.subresource = exec", true],
    ["ka.uri.param[dryRun] = All", true],
    ["ka.uri.param[missing] exists", false],
  ])("%s -> %s", (cond, want) => {
    expect(check(cond)).toBe(want);
  });

  it("list fields: in is a subset test, intersects any overlap, other operators do not compile", () => {
    expect(check("ka.user.groups intersects (dev)")).toBe(true);
    expect(check("ka.user.groups in (dev)")).toBe(false);
    expect(check("ka.user.groups in (dev, system:authenticated, x)")).toBe(true);
    expect(check("ka.req.pod.containers.image.repository in (docker.io/library/nginx, busybox)")).toBe(true);
    expect(check("ka.req.pod.containers.privileged intersects (true)")).toBe(true);
    expect(check("ka.req.pod.initContainers.privileged intersects (true)")).toBe(false);
    expect(check("ka.req.pod.initContainers.privileged exists")).toBe(false);
    // libsinsp's compiler refuses these (flt_is_comparable), so Falco does not load the rule
    for (const op of ["contains dev", "= dev", "!= dev", "startswith d", "pmatch (/dev)", "glob 'd*'"]) {
      const e = loadError(`ka.user.groups ${op}`);
      expect(e.code).toBe("bad-operator");
      expect(e.message).toMatch(/^filter error: '[^']+' operator not supported list filters/);
    }
    // an index argument does not make a list field scalar
    expect(loadError("ka.req.pod.containers.image[1] = busybox").code).toBe("bad-operator");
    // a transformer that yields a number does
    expect(check("len(ka.user.groups) > 1")).toBe(true);
  });

  it("field arguments: container index, JSON pointers with ~1 and ~0, deprecated hostpath key", () => {
    expect(check("ka.req.pod.containers.image[1] in (busybox)")).toBe(true);
    expect(check("ka.req.pod.containers.image[2] exists")).toBe(false);
    expect(check("ka.req.pod.containers.privileged[1] exists")).toBe(false);
    expect(check("ka.req.pod.containers.image.repository[0] in (docker.io/library/nginx)")).toBe(true);
    expect(check("ka.req.container.image.repository = docker.io/library/nginx")).toBe(true);
    expect(check("jevt.value[/annotations/a~1b] = slash")).toBe(true);
    expect(check("jevt.value[/annotations/t~0x] = tilde")).toBe(true);
    expect(check("jevt.value[/requestObject/spec/hostNetwork] = true")).toBe(true);
    expect(check("jevt.value[/requestObject/spec/containers/1/name] = side")).toBe(true);
    expect(check("ka.req.volume.hostpath[/var/run/*] = true")).toBe(true);
    expect(check("ka.req.volume.hostpath[/var] = true")).toBe(false);
    expect(check("ka.req.pod.volumes.volume_type intersects (hostPath)")).toBe(true);
    // upstream reads spec.runAsUser and containers[].runAsUser (not securityContext): both "0" here
    expect(check("ka.req.pod.containers.eff_run_as_user in (0)")).toBe(true);
    expect(check("ka.req.pod.containers.eff_run_as_user intersects (1000)")).toBe(false);
    expect(check("ka.req.container.privileged = true")).toBe(true);
  });

  it.each([
    "tolower(ka.user.name) = alice",
    "b64(jevt.value[/annotations/a~1b]) exists",
    "ka.target.name = val(ka.req.pod.containers.name[0])",
    "ka.user.name in val(ka.user.name)",
  ])("parses %s", (c) => {
    expect(() => check(c)).not.toThrow();
  });
  it("val() is not allowed inside a parenthesised list (as upstream)", () => {
    expect(() => check("ka.user.name in (val(ka.user.name))")).toThrow(/condition-syntax/);
  });
  it("transformers and field comparisons", () => {
    expect(check("tolower(ka.user.name) = alice")).toBe(true);
    expect(check("toupper(ka.user.name) = ALICE")).toBe(true);
    expect(check("len(ka.user.name) = 5")).toBe(true);
    expect(check("len(ka.user.groups) = 2")).toBe(true);
    expect(check("basename(ka.uri) startswith pods")).toBe(true);
    expect(check("b64(jevt.value[/annotations/a~1b]) exists")).toBe(true);
    expect(check("ka.target.name = val(ka.req.pod.containers.name[0])")).toBe(false);
    expect(check("ka.target.namespace = val(ka.target.namespace)")).toBe(true);
    expect(check("ka.user.name in val(ka.user.name)")).toBe(true);
  });

  it("a missing value makes every comparison false, on the NA event too", () => {
    const bare: AuditEvent = { tsNs: 1, raw: { kind: "Event", verb: "get" } };
    expect(check("ka.verb = get", bare)).toBe(false); // no auditID: ka.* are not available
    expect(check("ka.verb != get", bare)).toBe(false);
    expect(check("jevt.value[/verb] = get", bare)).toBe(true);
  });
});

describe("lists and macros", () => {
  const LISTS = `
- list: base
  items: [Bob]
- list: users
  items: [base, "Alice"]
- macro: is_user
  condition: ka.user.name in (users)
- macro: creating
  condition: ka.verb = create
`;
  it("substitutes lists (nested ones expand), resolves macros", () => {
    expect(check("is_user and creating", POD, LISTS)).toBe(true);
    expect(check("ka.user.name in (base)", POD, LISTS)).toBe(false);
  });
  it("later definitions replace earlier ones; append extends", () => {
    const more = `${LISTS}
- list: base
  items: [Carol]
- list: users
  items: [Dan]
  append: true
- macro: creating
  condition: ka.verb = patch
- macro: creating
  condition: or ka.verb = create
  append: true
`;
    expect(check("ka.user.name in (users)", POD, more)).toBe(true); // users = [Carol, Alice, Dan]
    expect(check("ka.user.name in (users) and not ka.user.name in (base)", POD, more)).toBe(true);
    expect(check("ka.user.name in (base)", POD, `${more}- list: base\n  items: [Alice]\n`)).toBe(true);
    expect(check("creating", POD, more)).toBe(true);
  });
  it("override: append and replace", () => {
    const o = `${LISTS}
- list: users
  items: [Zed]
  override:
    items: replace
- macro: creating
  condition: or ka.verb = get
  override:
    condition: append
`;
    expect(check("is_user", POD, o)).toBe(false);
    expect(check("creating", POD, o)).toBe(true);
  });
  it("a macro sees only macros defined before it", () => {
    const e = loadError(
      "late",
      "- macro: late\n  condition: early\n- macro: early\n  condition: ka.verb = create\n",
    );
    expect(e.code).toBe("undefined-macro");
  });
  it("a name that is not a list stays a literal", () => {
    expect(check("ka.user.name in (not_a_list, Alice)")).toBe(true);
  });
});

describe("errors name the rule, code and position", () => {
  it.each([
    ["ka.verb = ", "condition-syntax"],
    ["(ka.verb = create", "condition-syntax"],
    ["ka.verb create", "condition-syntax"],
    ["ka.verb = create and", "condition-syntax"],
    ["ka.nosuch = 1", "unknown-field"],
    ["nosuchmacro", "undefined-macro"],
    ["ka.uri.param exists", "field-arg"],
    ["ka.verb[1] = x", "field-arg"],
    ["ka.req.pod.containers.image[x] exists", "field-arg"],
    ["ka.req.pod.containers.image[01] exists", "field-arg"],
    ["ka.user.groups contains x", "bad-operator"],
    ["ka.user.name bcontains 6c6963", "bad-operator"],
    ["ka.user.name bstartswith 416c", "bad-operator"],
    ["ka.user.name regex '('", "bad-regex"],
    ["ka.user.name = 'a\\qb'", "condition-escape"],
  ])("%s -> %s", (cond, code) => {
    expect(loadError(cond).code).toBe(code);
  });
  it.each([
    ["proc.pid = abc", "bad-value"],
    ["proc.pid contains 1", "bad-operator"],
  ])("%s -> %s (syscall source: the k8s audit fields are all strings)", (cond, code) => {
    expect(loadError(cond, "", "syscall").code).toBe(code);
  });
  it("operators a field type does not support are refused at load with libsinsp's message", () => {
    // libsinsp accepts bcontains/bstartswith on byte buffers only; k8s audit fields are strings
    expect(loadError("ka.user.name bcontains 6c6963").message).toBe(
      "filter error: 'bcontains' operator not supported for string filters",
    );
    expect(loadError("ka.verb bstartswith 6c").message).toBe(
      "filter error: 'bstartswith' operator not supported for string filters",
    );
    expect(loadError("proc.pid contains 1", "", "syscall").message).toBe(
      "filter error: 'contains' operator not supported for numeric filters",
    );
    expect(loadError("fd.sip startswith 10", "", "syscall").message).toBe(
      "filter error: 'startswith' operator not supported for ip address and network filters",
    );
    expect(loadError("len(ka.user.name) contains 1").message).toBe(
      "filter error: 'contains' operator not supported for numeric filters",
    );
    // the type check comes before the value is read, as in libsinsp
    expect(loadError("ka.user.name bcontains zz").code).toBe("bad-operator");
  });
  it("bcontains/bstartswith compile on byte-buffer fields, with hex values", () => {
    const load = (cond: string) =>
      loadRules(
        [
          {
            path: "t.yaml",
            text: `- rule: t\n  desc: t\n  condition: ${JSON.stringify(cond)}\n  output: o\n  priority: INFO\n  source: syscall\n`,
          },
        ],
        { tables: defaultTables() },
      );
    expect(load("evt.buffer bcontains 6c6963 or evt.buffer bstartswith 41").errors).toEqual([]);
    expect(load("evt.buffer bcontains zz").errors[0]?.code).toBe("bad-value");
  });
  it("positions are 1-based line and column inside the condition", () => {
    const e = loadError("ka.verb = create and (ka.user.name = x");
    expect(e.code).toBe("condition-syntax");
    expect(e.condCol).toBe(39);
  });
  it("a macro that refers to itself is reported", () => {
    expect(loadError("m1", "- macro: m1\n  condition: m1 and ka.verb = x\n").code).toBe("undefined-macro");
  });
});

describe("parser details", () => {
  it("builds and/or/not trees with precedence", () => {
    const e = parseCondition("a or b and not c");
    expect(e.kind).toBe("or");
    if (e.kind === "or") expect(e.children[1]!.kind).toBe("and");
  });
  it("unescapes quoted strings like libsinsp", () => {
    expect(unescapeQuoted(`"a\\"b\\\\c\\n"`)).toBe('a"b\\c\n');
    expect(unescapeQuoted(`'it\\'s'`)).toBe("it's");
    expect(() => unescapeQuoted(`'a\\"b'`)).toThrow(/invalid/);
  });
  it("empty input is an error", () => {
    expect(() => parseCondition("")).toThrow(/empty/);
  });
});

describe("rule items: exceptions, override, append, enabled, versions", () => {
  const base = `
- rule: r
  desc: d
  condition: ka.verb = create
  output: o
  priority: WARNING
  source: k8s_audit
  exceptions:
    - name: by_user_ns
      fields: [ka.user.name, ka.target.namespace]
      comps: [=, in]
      values:
        - [Bob, [dev, prod]]
    - name: by_resource
      fields: ka.target.resource
      values: [secrets]
`;
  const run = (text: string, evt: AuditEvent = POD) => {
    const rs = loadRules([{ path: "r.yaml", text }], { tables: defaultTables() });
    if (rs.errors.length > 0) return { errors: rs.errors.map((e) => e.code), fired: false, rs };
    return {
      errors: [],
      fired: new RuleEngine(rs, { hostname: "h" }).process("k8s_audit", evt, evt.tsNs).length > 0,
      rs,
    };
  };
  it("exceptions that do not match leave the rule firing; appended values suppress it", () => {
    expect(run(base).fired).toBe(true);
    const appended = `${base}
- rule: r
  exceptions:
    - name: by_user_ns
      values:
        - [Alice, [dev]]
  append: true
`;
    expect(run(appended).fired).toBe(false);
    const newEx = `${base}
- rule: r
  exceptions:
    - name: by_resource_2
      fields: ka.target.resource
      comps: in
      values: [pods]
  override:
    exceptions: append
`;
    expect(run(newEx).fired).toBe(false);
  });
  it("override replaces priority/output and enabled: false switches a rule off", () => {
    const o = `${base}
- rule: r
  priority: DEBUG
  output: new output %ka.verb
  override:
    priority: replace
    output: replace
`;
    const { rs } = run(o);
    expect(rs.rules[0]).toMatchObject({ priority: "Debug" });
    const off = `${base}\n- rule: r\n  enabled: false\n`;
    const r2 = run(off);
    expect(r2.fired).toBe(false);
    expect(r2.rs.disabled).toEqual(["r"]);
  });
  it("rejects bad items with codes and keeps loading the rest", () => {
    expect(
      run(`${base}\n- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n`).errors,
    ).toContain("rules-schema");
    expect(run(`${base}\n- rule: nope\n  condition: and x\n  append: true\n`).errors).toEqual([
      "rules-no-previous",
    ]);
    expect(
      run(`${base}\n- macro: nope\n  condition: x\n  override:\n    condition: append\n`).errors,
    ).toEqual(["rules-no-previous"]);
    expect(
      run(
        `${base}\n- rule: r2\n  desc: d\n  condition: ka.verb = x\n  output: o\n  priority: LOUD\n  source: k8s_audit\n`,
      ).errors,
    ).toEqual(["rules-schema"]);
    expect(
      run(`${base}\n- rule: r\n  desc: d\n  condition: ka.verb = x\n  output: o\n  priority: INFO\n`).errors,
    ).toEqual(["rules-source"]);
    expect(run(`- required_engine_version: 99.0.0\n${base}`).errors).toEqual(["rules-engine-version"]);
    expect(run(`- required_engine_version: banana\n${base}`).errors).toEqual(["rules-schema"]);
    expect(run("rules: not a list\n").errors).toEqual(["rules-schema"]);
    expect(run("- rule: [unclosed\n").errors).toEqual(["rules-yaml"]);
    expect(
      run(
        `${base}\n- rule: r3\n  desc: d\n  condition: ka.verb = x\n  output: "%ka.nosuch"\n  priority: INFO\n  source: k8s_audit\n`,
      ).errors,
    ).toEqual(["output-format"]);
    const bad = `${base}\n- rule: bad\n  desc: d\n  condition: ka.verb = (\n  output: o\n  priority: INFO\n  source: k8s_audit\n`;
    const r = run(bad);
    expect(r.errors).toEqual(["condition-syntax"]);
    expect(r.rs.rules.map((x) => x.name)).toEqual(["r"]);
  });
  it("rules of unknown sources are skipped with a warning; skip-if-unknown-filter skips unknown fields", () => {
    const t = `- rule: aws\n  desc: d\n  condition: ct.name = x\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n- rule: k\n  desc: d\n  condition: ka.future.field = x\n  output: o\n  priority: INFO\n  source: k8s_audit\n  skip-if-unknown-filter: true\n`;
    const { rs } = run(t);
    expect(rs.errors).toEqual([]);
    expect(rs.warnings.map((w) => w.code).sort()).toEqual(["compile-warning", "unknown-source"]);
    expect(rs.inactive.map((i) => i.name)).toEqual(["aws"]);
  });
});
