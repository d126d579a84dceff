import type { ImageCheck } from "./types.js";

/** History lines of ADD instructions that fetched a URL. */
export function remoteAdds(createdBy: string): string[] {
  const m = /\bADD\b(?:\s+--[\w-]+(?:=\S+)?)*\s+((?:https?|ftp):\/\/\S+)/i.exec(createdBy);
  return m ? [m[1]!] : [];
}

export const remoteAdd: ImageCheck = {
  id: "KW-IMG-005",
  title: "ADD fetched a remote URL",
  severity: "medium",
  layer: "image",
  description:
    "A layer was built with ADD <url>: the download is not verified unless a checksum was given, and its content can change.",
  remediation:
    "Download with curl/wget and verify a checksum in a RUN step, or use ADD --checksum=sha256:...",
  references: ["https://docs.docker.com/reference/dockerfile/#add"],
  frameworks: {},
  run(f) {
    const out = [];
    for (const [i, h] of f.history.entries()) {
      const cb = h.created_by ?? "";
      if (/--checksum=/.test(cb)) continue;
      for (const url of remoteAdds(cb))
        out.push({ message: `history step ${i} ran ADD ${url}`, details: { step: i, url } });
    }
    return out;
  },
};
