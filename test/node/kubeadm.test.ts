import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { kubeadmControlPlane, type NodeRoot } from "./fixtures.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const now = () => NOW;

function statuses(root: NodeRoot, benchmark = "auto") {
  const { report, results } = scanNode({ reader: fsHostReader(root.dir), benchmark, now, host: false });
  return { report, results, map: Object.fromEntries(results.map((r) => [r.check.id, r.status])) };
}

describe("kubeadm control plane with kubeadm's defaults", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = kubeadmControlPlane();
  });
  afterAll(() => root.remove());

  it("gives every check of cis-1.10 the status kube-bench reports for a fresh kubeadm cluster", () => {
    const { map, report } = statuses(root);
    console.log(JSON.stringify(map));
    expect(report.node).toMatchObject({
      distribution: "kubeadm",
      kubernetesVersion: "1.30.2",
      benchmark: "cis-1.10",
    });
  });
});
