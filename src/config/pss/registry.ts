// The check registry: which versioned check function runs for each level and policy version.
// Built once at load time, so an evaluation is a table look-up and a loop.
import { allowPrivilegeEscalation } from "./checks/allowPrivilegeEscalation.js";
import { appArmorProfile } from "./checks/appArmorProfile.js";
import { capabilitiesBaseline } from "./checks/capabilities_baseline.js";
import { capabilitiesRestricted } from "./checks/capabilities_restricted.js";
import { hostNamespaces } from "./checks/hostNamespaces.js";
import { hostPathVolumes } from "./checks/hostPathVolumes.js";
import { hostPorts } from "./checks/hostPorts.js";
import { hostProbesAndHostLifecycle } from "./checks/hostProbesAndHostLifecycle.js";
import { privileged } from "./checks/privileged.js";
import { procMount } from "./checks/procMount.js";
import { procMountRestricted } from "./checks/procMount_restricted.js";
import { restrictedVolumes } from "./checks/restrictedVolumes.js";
import { runAsNonRoot } from "./checks/runAsNonRoot.js";
import { runAsUser } from "./checks/runAsUser.js";
import { seccompProfileBaseline } from "./checks/seccompProfile_baseline.js";
import { seccompProfileRestricted } from "./checks/seccompProfile_restricted.js";
import { seLinuxOptions } from "./checks/seLinuxOptions.js";
import { sysctls } from "./checks/sysctls.js";
import { windowsHostProcess } from "./checks/windowsHostProcess.js";
import type { PssCheckDef, PssCheckFn, PssCheckId, PssLevel } from "./types.js";
import { PSS_LATEST_MINOR } from "./version.js";

/** Every upstream check, keyed by its upstream id (one module per check under checks/). */
export const PSS_CHECK_MAP: Readonly<Record<PssCheckId, PssCheckDef>> = {
  allowPrivilegeEscalation,
  appArmorProfile,
  capabilities_baseline: capabilitiesBaseline,
  capabilities_restricted: capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  procMount_restricted: procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seLinuxOptions,
  seccompProfile_baseline: seccompProfileBaseline,
  seccompProfile_restricted: seccompProfileRestricted,
  sysctls,
  windowsHostProcess,
};

export const PSS_CHECK_DEFS: readonly PssCheckDef[] = Object.values(PSS_CHECK_MAP);

/** The upstream check ids, in registry order. */
export const PSS_CHECK_IDS: readonly PssCheckId[] = PSS_CHECK_DEFS.map((d) => d.id);

export interface ActiveCheck {
  def: PssCheckDef;
  fn: PssCheckFn;
}

/** The version of a check's behaviour in force at a policy minor version, or undefined before its first. */
function versionAt(def: PssCheckDef, minor: number): PssCheckFn | undefined {
  let fn: PssCheckFn | undefined;
  for (const v of def.versions) if (v.since <= minor) fn = v.check;
  return fn;
}

function validate(defs: readonly PssCheckDef[]): void {
  const ids = new Set<string>();
  const kw = new Set<string>();
  for (const d of defs) {
    if (ids.has(d.id)) throw new Error(`PSS registry: duplicate check ${d.id}`);
    if (kw.has(d.scanner.id)) throw new Error(`PSS registry: duplicate scanner id ${d.scanner.id}`);
    ids.add(d.id);
    kw.add(d.scanner.id);
    if (d.versions.length === 0) throw new Error(`PSS registry: check ${d.id} has no versions`);
    for (let i = 1; i < d.versions.length; i++) {
      if (d.versions[i]!.since <= d.versions[i - 1]!.since) {
        throw new Error(`PSS registry: check ${d.id} versions are not strictly increasing`);
      }
    }
    if (d.overrides && d.level !== "restricted")
      throw new Error(`PSS registry: only restricted checks override (${d.id})`);
  }
}

/**
 * The checks that run at a level and policy version. Restricted runs every baseline check except
 * those a restricted check in force at that version overrides, then the restricted checks.
 */
function activeChecks(level: PssLevel, minor: number): ActiveCheck[] {
  const overridden = new Set<PssCheckId>();
  if (level === "restricted") {
    for (const d of PSS_CHECK_DEFS) {
      if (d.level === "restricted" && d.overrides && versionAt(d, minor))
        for (const o of d.overrides) overridden.add(o);
    }
  }
  const out: ActiveCheck[] = [];
  for (const wanted of level === "restricted"
    ? (["baseline", "restricted"] as const)
    : (["baseline"] as const)) {
    for (const def of PSS_CHECK_DEFS) {
      if (def.level !== wanted || overridden.has(def.id)) continue;
      const fn = versionAt(def, minor);
      if (fn) out.push({ def, fn });
    }
  }
  return out;
}

validate(PSS_CHECK_DEFS);

const TABLE: Record<PssLevel, ActiveCheck[][]> = { baseline: [], restricted: [] };
for (let minor = 0; minor <= PSS_LATEST_MINOR; minor++) {
  TABLE.baseline.push(activeChecks("baseline", minor));
  TABLE.restricted.push(activeChecks("restricted", minor));
}

/** The checks in force at a level and (clamped) policy minor version, in evaluation order. */
export function checksAt(level: PssLevel, minor: number): readonly ActiveCheck[] {
  return TABLE[level][Math.min(Math.max(minor, 0), PSS_LATEST_MINOR)]!;
}
