import { eolFor } from "./eol-data.js";
import type { ImageCheck } from "./types.js";

export const eolOs: ImageCheck = {
  id: "KW-IMG-008",
  title: "Base OS is end of life",
  severity: "high",
  layer: "image",
  description: "The distribution release in the image no longer gets security updates from its vendor.",
  remediation: "Rebuild the image on a supported release of the base image.",
  references: ["https://endoflife.date/"],
  frameworks: {},
  run(f, ctx) {
    if (!f.os) return [];
    const e = eolFor(f.os.family, f.os.version);
    if (!e) return [];
    const end = new Date(`${e.eol}T23:59:59Z`);
    if (ctx.now <= end) return [];
    return [
      {
        message: `${f.os.name ?? `${f.os.family} ${f.os.version}`} reached end of life on ${e.eol}`,
        details: { family: f.os.family, version: f.os.version, eol: e.eol },
      },
    ];
  },
};
