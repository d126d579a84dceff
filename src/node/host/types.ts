import type { Severity, Status } from "../../core/model.js";
import type { HostReader } from "../reader.js";
import type { Evidence, NodeFacts } from "../types.js";

/** One host hardening check: pure over the node's files and the facts detection learned. */
export interface HostCheck {
  id: string;
  title: string;
  severity: Severity;
  remediation: string;
  run(facts: NodeFacts, reader: HostReader): HostVerdict;
}

export interface HostVerdict {
  status: Status | "skip";
  message: string;
  evidence?: Evidence;
}

/** Evidence of kind "os" for a host check. */
export const os = (key: string, path: string | null, actual: string | null, expected: string): Evidence => ({
  component: "host",
  kind: "os",
  key,
  path,
  actual,
  expected,
});
