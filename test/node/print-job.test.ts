// `scan node --print-job` prints plain YAML (no anchors or aliases) that kubectl's own decoder reads
// back to the same objects. kubectl create/apply --dry-run=client need an API server for discovery,
// which this machine has not; `kubectl label --local` decodes the file the same way without one.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isAlias, isNode, parseAllDocuments, visit } from "yaml";
import { main } from "../../src/cli/main.js";

async function printJob(args: string[]): Promise<string> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    expect(await main(["node", "kubeward", "scan", "node", "--print-job", ...args])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => {
  process.exitCode = undefined;
});

/** Anchors and aliases found in the YAML text, by the yaml package's own parse. */
function anchorsAndAliases(text: string): string[] {
  const found: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    expect(doc.errors).toEqual([]);
    visit(doc, (_key, node) => {
      if (isAlias(node)) found.push(`*${node.source}`);
      else if (isNode(node) && node.anchor) found.push(`&${node.anchor}`);
    });
  }
  return found;
}

/** The objects as kubectl decodes them (offline), with the label it was asked to add removed. */
function kubectlDecoded(text: string): unknown[] {
  const r = spawnSync(
    "kubectl",
    ["label", "--local", "-f", "-", "kubeward-test=decoded", "-o", "json", "--kubeconfig", "/dev/null"],
    { input: text, encoding: "utf8", timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  // One indented JSON object per document, one after the other: split where one ends and the next begins.
  return r.stdout.split(/(?<=^\})\n(?=\{$)/m).map((json) => {
    const o = JSON.parse(json) as { metadata: { labels?: Record<string, string> } };
    delete o.metadata.labels?.["kubeward-test"];
    if (o.metadata.labels && Object.keys(o.metadata.labels).length === 0) delete o.metadata.labels;
    return o;
  });
}

describe("scan node --print-job YAML", () => {
  it.each([
    ["job", ["--nodes", "2"]],
    ["daemonset", ["--image", "example.org/kubeward:test"]],
  ])("%s: no anchors or aliases, and kubectl reads it back as the same objects", async (kind, extra) => {
    const text = await printJob([kind, ...extra]);
    expect(anchorsAndAliases(text)).toEqual([]);
    const ours = parseAllDocuments(text).map((d) => d.toJS());
    expect(ours.map((o) => o.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      kind === "job" ? "Job" : "DaemonSet",
    ]);
    // The label map used to be written once and aliased: it must still be there, in full, each time.
    const labels = { "app.kubernetes.io/name": "kubeward-node-scan" };
    const workload = ours[2];
    expect(workload.metadata.labels).toEqual(labels);
    expect(workload.spec.template.metadata.labels).toEqual(labels);
    expect(kubectlDecoded(text)).toEqual(ours);
  });
});
