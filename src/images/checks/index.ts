import type { Finding } from "../../core/model.js";
import { eolOs } from "./eol-os.js";
import { latestTag } from "./latest-tag.js";
import { minimalImageTools } from "./minimal-image-tools.js";
import { noHealthcheck } from "./no-healthcheck.js";
import { packageCaches } from "./package-caches.js";
import { remoteAdd } from "./remote-add.js";
import { rootUser } from "./root-user.js";
import { secretsInEnv } from "./secrets-env.js";
import { secretsInLabels } from "./secrets-labels.js";
import { setuidFiles } from "./setuid-files.js";
import { sshPort } from "./ssh-port.js";
import type { ImageCheck, ImageCheckContext, ImageFacts } from "./types.js";

/** Every image check, registered explicitly (one per file). */
export const IMAGE_CHECKS: ReadonlyMap<string, ImageCheck> = new Map(
  [
    rootUser,
    secretsInEnv,
    secretsInLabels,
    latestTag,
    remoteAdd,
    sshPort,
    noHealthcheck,
    eolOs,
    packageCaches,
    setuidFiles,
    minimalImageTools,
  ].map((c) => [c.id, c]),
);

/** Files of this folder that are not checks. */
export const HELPER_FILES = ["index.ts", "types.ts", "secrets.ts", "eol-data.ts"];

/** Runs the image checks over one image's facts. Pure: the clock comes in ctx. */
export function runImageChecks(
  facts: ImageFacts,
  ctx: ImageCheckContext,
  checks: Iterable<ImageCheck> = IMAGE_CHECKS.values(),
): Finding[] {
  const out: Finding[] = [];
  for (const c of checks) {
    for (const v of c.run(facts, ctx)) {
      out.push({
        checkId: c.id,
        title: c.title,
        severity: v.severity ?? c.severity,
        status: v.status ?? "fail",
        layer: "image",
        message: v.message,
        remediation: c.remediation,
        references: c.references,
        resource: { kind: "Image", name: facts.image.ref },
        location: { file: facts.image.ref },
        ...(c.frameworks.cis || c.frameworks.nsa ? { frameworks: { ...c.frameworks } } : {}),
        ...(v.details ? { details: v.details } : {}),
      });
    }
  }
  return out;
}
