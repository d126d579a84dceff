import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { generateTls } from "../../src/admission/tls.js";
import { BIN, ensureAdmissionBuilt, kubeward, post, ROOT } from "./helpers.js";
import { CONFIG, goodContainer, pod, privilegedContainer, review } from "./suite.js";

let tmp: string;
beforeAll(() => {
  ensureAdmissionBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-cli-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("kubeward admission review", () => {
  it("prints the response and exits 0 even for a denial; bad input exits 2 naming it", () => {
    const ok = join(tmp, "deny.json");
    writeFileSync(ok, JSON.stringify(review(pod("priv", "team-a", [privilegedContainer]))));
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}');
    const r = kubeward(["admission", "review", ok, "--config", CONFIG]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).response.allowed).toBe(false);
    const b = kubeward(["admission", "review", bad, "--config", CONFIG]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`${bad}: the AdmissionReview has no request`);
  });

  it("an invalid config or a missing request file exits 2 with the reason", () => {
    const cfg = join(tmp, "cfg.yaml");
    writeFileSync(
      cfg,
      "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\nchecks:\n  - ids: [KW-WL-004]\n    mode: block\n",
    );
    const r = kubeward(
      ["admission", "review", "-", "--config", cfg],
      JSON.stringify(review(pod("ok", "team-a", [goodContainer]))),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("checks[0].mode: must be enforce, warn or audit");
    const m = kubeward(["admission", "review", join(tmp, "missing.json"), "--config", CONFIG]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("cannot read AdmissionReview");
  });
});

describe("kubeward admission manifests", () => {
  it("writes one file per object, the Secret private", () => {
    const dir = join(tmp, "out");
    const r = kubeward(["admission", "manifests", "--namespace", "sec", "--mutate", "-o", dir]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(dir);
    expect(files.some((f) => f.endsWith("-validatingwebhookconfiguration.yaml"))).toBe(true);
    expect(files.some((f) => f.endsWith("-mutatingwebhookconfiguration.yaml"))).toBe(true);
    const s = kubeward(["admission", "manifests", "--cert-manager"]);
    expect(s.code).toBe(0);
    const kinds = parseAllDocuments(s.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toContain("Certificate");
    expect(kinds).not.toContain("Secret");
  });
});

describe("kubeward admission serve", () => {
  it("refuses missing certificate files", () => {
    const r = kubeward([
      "admission",
      "serve",
      "--config",
      CONFIG,
      "--tls-cert",
      join(tmp, "no.crt"),
      "--tls-key",
      join(tmp, "no.key"),
      "--port",
      "0",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read TLS certificate");
  });

  it("serves reviews until stopped", async () => {
    const tls = generateTls(["localhost"]);
    writeFileSync(join(tmp, "t.crt"), tls.cert);
    writeFileSync(join(tmp, "t.key"), tls.key);
    const child = spawn(
      process.execPath,
      [
        BIN,
        "admission",
        "serve",
        "--config",
        CONFIG,
        "--tls-cert",
        join(tmp, "t.crt"),
        "--tls-key",
        join(tmp, "t.key"),
        "--port",
        "0",
        "--host",
        "127.0.0.1",
      ],
      { cwd: ROOT, env: { ...process.env, KUBEWARD_DRAIN_MS: "200" } },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = "";
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /serving https:\/\/[^:]+:(\d+)/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const r = await post(
        port,
        tls.caCert,
        "/validate",
        JSON.stringify(review(pod("priv", "team-a", [privilegedContainer]))),
      );
      expect(r.status).toBe(200);
      expect((r.json().response as { allowed: boolean }).allowed).toBe(false);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
  });
});
