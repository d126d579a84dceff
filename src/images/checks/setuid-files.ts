import type { ImageCheck } from "./types.js";

export const setuidFiles: ImageCheck = {
  id: "KW-IMG-010",
  title: "Setuid or setgid files in the image",
  severity: "low",
  layer: "image",
  description:
    "Setuid/setgid executables let a process gain the file owner's privileges; with allowPrivilegeEscalation they are an escalation path.",
  remediation:
    "Remove the bits in the image (chmod a-s) or drop the binaries; set allowPrivilegeEscalation: false in the pod.",
  references: ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
  frameworks: {},
  run(f) {
    const found: string[] = [];
    for (const [path, e] of f.fs.entries) if (e.kind === "file" && e.mode & 0o6000) found.push(`/${path}`);
    if (found.length === 0) return [];
    found.sort();
    return [
      {
        message: `${found.length} setuid/setgid files: ${found.slice(0, 10).join(", ")}${found.length > 10 ? ", ..." : ""}`,
        details: { files: found },
      },
    ];
  },
};
