import type { Reporter } from "./types.js";

export const jsonReporter: Reporter = {
  id: "json",
  description: "the kubeward JSON report (shared/spec/report-contract.md)",
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
