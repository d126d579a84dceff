import { chmodSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKnownKind, type LoadResult, loadManifests, splitDocuments } from "../../src/core/loader/index.js";
import { getIn } from "../../src/core/object.js";
import { writeUnder } from "../helpers/files.js";

let dir: string;
const p = (...parts: string[]) => join(dir, ...parts);
const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);
/** 1-based line of the first line of `text` containing `needle` (after line `after`). */
function lineOfText(text: string, needle: string, after = 0): number {
  const lines = text.split("\n");
  for (let i = after; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`${needle} not in text`);
}
const codes = (r: LoadResult) => r.errors.map((e) => e.code);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-loader-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const DEPLOY = `# a comment before the first document
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
        - name: sidecar
          image: envoy
---
# only a comment in this document
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80, targetPort: 8080}]
`;

describe("YAML streams", () => {
  it("loads every document with its file, first content line and index; empty documents are ignored", async () => {
    const file = write("multi.yaml", DEPLOY);
    const r = await loadManifests([file]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.objects.map((o) => [o.kind, o.metadata.name, o.source.line, o.source.index])).toEqual([
      ["Deployment", "web", 3, 0],
      ["Service", "web", lineOfText(DEPLOY, "kind: Service") - 1, 1],
    ]);
    expect(r.objects[0].source.file).toBe(file);
  });

  it("gives the real line of a field, and the nearest ancestor's line for a missing field", async () => {
    const file = write("multi.yaml", DEPLOY);
    const [deploy, svc] = (await loadManifests([file])).objects;
    expect(
      deploy.lineOf(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]),
    ).toBe(lineOfText(DEPLOY, "privileged: true"));
    expect(deploy.lineOf(["spec", "template", "spec", "containers", 1])).toBe(
      lineOfText(DEPLOY, "- name: sidecar"),
    );
    expect(deploy.lineOf(["spec", "template", "spec", "containers", 1, "image"])).toBe(
      lineOfText(DEPLOY, "image: envoy"),
    );
    // Missing: falls back to the container (nearest existing ancestor).
    expect(deploy.lineOf(["spec", "template", "spec", "containers", 1, "securityContext", "runAsUser"])).toBe(
      lineOfText(DEPLOY, "- name: sidecar"),
    );
    expect(deploy.lineOf([])).toBe(3);
    // Flow style collections map too.
    expect(svc.lineOf(["spec", "ports", 0, "port"])).toBe(lineOfText(DEPLOY, "ports: [{port"));
    expect(svc.lineOf(["metadata", "name"])).toBe(lineOfText(DEPLOY, "metadata: {name"));
  });

  it("reads scalars as Kubernetes does (go-yaml v2 / YAML 1.1): yes/on booleans, 0644 octal, merge keys, timestamps as text", async () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    created: 2024-01-02
    quoted: "yes"
base: &base
  runAsNonRoot: on
spec:
  containers:
    - name: c
      image: busybox
      securityContext:
        <<: *base
        privileged: yes
        allowPrivilegeEscalation: n
        runAsUser: 1_000
  volumes:
    - name: v
      secret:
        secretName: s
        defaultMode: 0644
    - name: w
      configMap:
        name: x
        defaultMode: 08
`;
    const r = await loadManifests([write("semantics.yaml", text)]);
    expect(r.errors).toEqual([]);
    const raw = r.objects[0].raw;
    expect(getIn(raw, ["spec", "containers", 0, "securityContext"])).toEqual({
      runAsNonRoot: true,
      privileged: true,
      allowPrivilegeEscalation: false,
      runAsUser: 1000,
    });
    expect(getIn(raw, ["spec", "volumes", 0, "secret", "defaultMode"])).toBe(0o644);
    expect(getIn(raw, ["spec", "volumes", 1, "configMap", "defaultMode"])).toBe(8);
    expect(getIn(raw, ["metadata", "annotations"])).toEqual({ created: "2024-01-02", quoted: "yes" });
  });

  it("a bad document does not hide the good documents of the same file", async () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: [unclosed
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
`;
    const file = write("partly-bad.yaml", text);
    const r = await loadManifests([file]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["a", "c"]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file, code: "yaml-syntax" });
    expect(r.errors[0].line).toBeGreaterThanOrEqual(8);
    expect(r.errors[0].line).toBeLessThanOrEqual(9);
    expect(r.objects[1].source.line).toBe(10);
  });

  it("reports invalid YAML with code yaml-syntax and the line of the error", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n bad: indentation\n";
    const file = write("bad.yaml", text);
    const r = await loadManifests([file]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ file, code: "yaml-syntax", line: 5 })]);
    expect(r.errors[0].message).toContain(file);
  });

  it("refuses duplicate keys (code yaml-duplicate-key), like the API server's strict decoding", async () => {
    const file = write("dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n");
    const r = await loadManifests([file]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ file, code: "yaml-duplicate-key", line: 5 })]);
  });

  it("handles CRLF line endings and a UTF-8 byte-order mark", async () => {
    const text = `\ufeff${DEPLOY.replace(/\n/g, "\r\n")}`;
    const r = await loadManifests([write("crlf.yaml", text)]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.source.line)).toEqual([3, 21]);
    expect(
      r.objects[0].lineOf(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]),
    ).toBe(15);
  });

  it("keeps directives with the document that follows them", () => {
    const chunks = splitDocuments("a: 1\n...\n%YAML 1.1\n---\nb: 2\n---\nc: 3\n");
    expect(chunks.map((c) => [c.start, c.text])).toEqual([
      [0, "a: 1\n...\n"],
      [2, "%YAML 1.1\n---\nb: 2\n"],
      [5, "---\nc: 3\n"],
    ]);
  });
});

describe("lists", () => {
  it("expands kind: List items with lines pointing into the list", async () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: one
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: two
    roleRef:
      kind: ClusterRole
      name: cluster-admin
`;
    const r = await loadManifests([write("list.yaml", text)]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.kind, o.metadata.name, o.source.line, o.source.index])).toEqual([
      ["ServiceAccount", "one", 4, 0],
      ["ClusterRoleBinding", "two", 8, 1],
    ]);
    expect(r.objects[1].lineOf(["roleRef", "name"])).toBe(lineOfText(text, "name: cluster-admin"));
    expect(r.objects[1].raw).not.toHaveProperty("items");
  });

  it("expands typed lists (PodList) from JSON, with field lines", async () => {
    const list = {
      apiVersion: "v1",
      kind: "PodList",
      items: [
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "a" },
          spec: { hostNetwork: true, containers: [] },
        },
        { apiVersion: "v1", kind: "Pod", metadata: { name: "b" }, spec: { hostPID: true, containers: [] } },
      ],
    };
    const text = JSON.stringify(list, null, 2);
    const r = await loadManifests([write("pods.json", text)]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(r.objects[1].lineOf(["spec", "hostPID"])).toBe(lineOfText(text, '"hostPID"'));
    expect(r.objects[0].source.line).toBe(lineOfText(text, '"items"') + 1);
  });

  it("reports an empty list as skipped, not as an error", async () => {
    const r = await loadManifests([write("empty-list.yaml", "apiVersion: v1\nkind: List\nitems: []\n")]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([expect.objectContaining({ code: "empty-list", kind: "List", line: 1 })]);
  });
});

describe("JSON", () => {
  it("loads a JSON object with field lines", async () => {
    const text = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": { "name": "j" },
  "spec": {
    "containers": [
      { "name": "c", "image": "busybox", "securityContext": { "privileged": true } }
    ]
  }
}
`;
    const r = await loadManifests([write("pod.json", text)]);
    expect(r.errors).toEqual([]);
    expect(r.objects[0].source.line).toBe(1);
    expect(r.objects[0].lineOf(["spec", "containers", 0, "securityContext", "privileged"])).toBe(7);
    expect(r.objects[0].lineOf(["spec", "containers"])).toBe(6);
  });

  it("treats empty files as holding no object", async () => {
    const r = await loadManifests([write("empty.json", " \n"), write("empty.yaml", "")]);
    expect(r).toEqual({ objects: [], errors: [], skipped: [] });
  });

  it("reports invalid JSON with code json-syntax and the line", async () => {
    const file = write("bad.json", '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n}\n');
    const r = await loadManifests([file]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ file, code: "json-syntax", line: 4 })]);
  });
});

describe("stdin", () => {
  it("reads YAML from stdin when the target is -", async () => {
    const r = await loadManifests(["-"], { readStdin: async () => DEPLOY });
    expect(r.objects.map((o) => [o.kind, o.source.file, o.source.line])).toEqual([
      ["Deployment", "<stdin>", 3],
      ["Service", "<stdin>", 21],
    ]);
    expect(
      r.objects[0].lineOf(["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]),
    ).toBe(15);
  });

  it("reads JSON from stdin, and reads stdin only once", async () => {
    let reads = 0;
    const readStdin = async () => {
      reads++;
      return '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}';
    };
    const r = await loadManifests(["-", "-"], { readStdin });
    expect(reads).toBe(1);
    expect(r.objects.map((o) => o.kind)).toEqual(["Namespace"]);
  });

  it("applies the size limit and binary check to stdin", async () => {
    const big = await loadManifests(["-"], {
      readStdin: async () => "a: b\n".repeat(100),
      maxFileBytes: 100,
    });
    expect(codes(big)).toEqual(["file-too-large"]);
    const bin = await loadManifests(["-"], { readStdin: async () => "a\u0000b" });
    expect(codes(bin)).toEqual(["binary-file"]);
    const failing = await loadManifests(["-"], {
      readStdin: async () => {
        throw new Error("stdin closed");
      },
    });
    expect(codes(failing)).toEqual(["unreadable"]);
  });
});

describe("kinds", () => {
  it("skips documents that are not Kubernetes objects and unknown kinds; keeps custom resources", async () => {
    const text = `just a string
---
- a
- list
---
name: chart-values
replicas: 3
---
apiVersion: v1
kind: Deploymnet
metadata: {name: typo}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [a.yaml]
`;
    const file = write("mixed.yaml", text);
    const r = await loadManifests([file]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.kind)).toEqual(["Certificate"]);
    expect(r.skipped.map((s) => [s.code, s.line, s.kind])).toEqual([
      ["not-kubernetes", 1, undefined],
      ["not-kubernetes", 3, undefined],
      ["not-kubernetes", 6, undefined],
      ["unknown-kind", 9, "Deploymnet"],
      ["tool-config", 17, "Kustomization"],
    ]);
    expect(r.skipped.every((s) => s.file === file && s.reason.length > 0)).toBe(true);
  });

  it("isKnownKind: built-in kinds and DNS-style groups", () => {
    expect(isKnownKind("apps/v1", "Deployment")).toBe(true);
    expect(isKnownKind("monitoring.coreos.com/v1", "ServiceMonitor")).toBe(true);
    expect(isKnownKind("v1", "Foo")).toBe(false);
    expect(isKnownKind("mygroup/v1", "Foo")).toBe(false);
  });
});

describe("hostile and unreadable input", () => {
  it("refuses a billion-laughs alias bomb (yaml-alias-limit) and still loads the other files", async () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: lol}",
      "data: {x: *i}",
    ].join("\n");
    const bad = write("bomb/lol.yaml", bomb);
    write("bomb/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n");
    const r = await loadManifests([p("bomb")]);
    expect(r.errors).toEqual([expect.objectContaining({ file: bad, code: "yaml-alias-limit", line: 1 })]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["fine"]);
  });

  it("accepts ordinary anchors, and refuses recursive aliases", async () => {
    const ok = await loadManifests([
      write(
        "anchors.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - &c {name: a, image: x, env: &e [{name: A, value: b}]}\n    - {name: b, image: x, env: *e}\n",
      ),
    ]);
    expect(ok.errors).toEqual([]);
    expect(getIn(ok.objects[0].raw, ["spec", "containers", 1, "env"])).toEqual([{ name: "A", value: "b" }]);
    const loop = await loadManifests([
      write("loop.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x, self: *m}\n"),
    ]);
    // js-yaml rejects an alias to an anchor still being built, or we catch the cycle: either way no object.
    expect(loop.objects).toEqual([]);
    expect(loop.errors).toHaveLength(1);
    expect(["yaml-alias-limit", "yaml-syntax"]).toContain(loop.errors[0].code);
    const limited = await loadManifests(
      [
        write(
          "anchors2.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &x [1]\ny: [*x, *x, *x]\n",
        ),
      ],
      {
        maxAliasCount: 2,
      },
    );
    expect(codes(limited)).toEqual(["yaml-alias-limit"]);
  });

  it("refuses binary files: NUL bytes and invalid UTF-8 (binary-file)", async () => {
    const nul = write("bin/nul.yaml", Buffer.from([0x61, 0x3a, 0x20, 0x00, 0x62]));
    const latin1 = write("bin/latin1.yaml", Buffer.from("a: caf\xe9\n", "latin1"));
    const r = await loadManifests([nul, latin1]);
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      [nul, "binary-file"],
      [latin1, "binary-file"],
    ]);
  });

  it("refuses files over the size limit (file-too-large) and loads the rest", async () => {
    const big = write(
      "size/big.yaml",
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {x: "${"a".repeat(2000)}"}\n`,
    );
    write("size/small.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n");
    const r = await loadManifests([p("size")], { maxFileBytes: 1000 });
    expect(r.errors).toEqual([expect.objectContaining({ file: big, code: "file-too-large" })]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["small"]);
  });

  it("reports a missing target and a broken link as unreadable and goes on", async () => {
    write("unread/ok.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n");
    symlinkSync(p("nowhere.yaml"), p("unread/broken.yaml"));
    const missing = p("does-not-exist.yaml");
    const r = await loadManifests([missing, p("unread")]);
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      [missing, "unreadable"],
      [p("unread", "broken.yaml"), "unreadable"],
    ]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["ok"]);
  });

  it.skipIf(process.getuid?.() === 0)("reports a file without read permission as unreadable", async () => {
    const file = write("noperm.yaml", "a: b\n");
    chmodSync(file, 0);
    const r = await loadManifests([file]);
    expect(codes(r)).toEqual(["unreadable"]);
  });
});

describe("directories", () => {
  it("walks recursively in name order, reads .yaml/.yml/.json only, skips node_modules, .git and the ignore file", async () => {
    const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\n`;
    write("tree/b.yaml", cm("b"));
    write("tree/a.yml", cm("a"));
    write(
      "tree/sub/c.json",
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }),
    );
    write("tree/sub/readme.md", "# not a manifest");
    write("tree/notes.txt", cm("txt"));
    write("tree/node_modules/x.yaml", cm("nm"));
    write("tree/.git/y.yaml", cm("git"));
    write("tree/.kubewardignore.yaml", "ignores: []\n");
    const r = await loadManifests([p("tree")]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.objects.map((o) => [o.metadata.name, o.source.file])).toEqual([
      ["a", p("tree", "a.yml")],
      ["b", p("tree", "b.yaml")],
      ["c", p("tree", "sub", "c.json")],
    ]);
  });

  it("reads an explicitly named file whatever its extension", async () => {
    const r = await loadManifests([
      write("named.txt", "apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n"),
    ]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["t"]);
  });

  it("does not follow links out of the scanned directory, and survives link loops", async () => {
    write("outside/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
    write("linked/in.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: in}\n");
    symlinkSync(p("outside"), p("linked", "out"));
    symlinkSync(p("linked"), p("linked", "loop"));
    symlinkSync(p("linked", "in.yaml"), p("linked", "same.yaml"));
    const r = await loadManifests([p("linked")]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.metadata.name, o.source.file])).toEqual([
      ["in", p("linked", "in.yaml")],
      ["in", p("linked", "same.yaml")],
    ]);
    expect(r.skipped).toEqual([
      expect.objectContaining({ file: p("linked", "out"), code: "symlink-outside" }),
    ]);
  });
});

describe("robustness", () => {
  it("never throws on any truncation of a real manifest stream, and every object answers lineOf", async () => {
    const text = `${DEPLOY}---\nkind: List\napiVersion: v1\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: &d {a: "1"}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: y}, data: *d}\n`;
    for (let cut = 0; cut <= text.length; cut += 3) {
      const r = await loadManifests(["-"], { readStdin: async () => text.slice(0, cut) });
      for (const o of r.objects) {
        expect(typeof o.lineOf(["spec", "template", "spec", "containers", 0, "image"])).toBe("number");
      }
      for (const e of r.errors) expect(typeof e.code).toBe("string");
    }
  });
});
