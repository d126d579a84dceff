// Control-plane components running as root.
import { type HostCheck, os } from "./types.js";

const CONTROL_PLANE_PROCESSES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

export const controlPlaneNotRoot: HostCheck = {
  id: "KW-HOST-010",
  title: "Control-plane components do not run as root",
  severity: "low",
  remediation:
    "Run the control plane as dedicated users (kubeadm: the RootlessControlPlane feature gate; otherwise runAsUser/runAsGroup in each static pod manifest with matching file ownership).",
  run(f) {
    const rootProcs = f.processes.filter((p) => CONTROL_PLANE_PROCESSES.includes(p.name) && p.uid === 0);
    if (!f.processes.some((p) => CONTROL_PLANE_PROCESSES.includes(p.name)))
      return { status: "skip", message: "no control-plane process is visible" };
    return rootProcs.length === 0
      ? {
          status: "pass",
          message: "control-plane processes run as non-root users",
          evidence: os("process-user", null, "non-root", "non-root"),
        }
      : {
          status: "warn",
          message: `running as root: ${rootProcs.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`,
          evidence: os("process-user", `/proc/${rootProcs[0].pid}/status`, "0", "a non-root uid"),
        };
  },
};
