import type { FieldPath, Frameworks, Layer, Severity, Status } from "./model.js";
import type { K8sObject } from "./object.js";

/** What every check declares about itself; reporters, docs and compliance summaries read it. */
export interface CheckMeta {
  id: string;
  title: string;
  severity: Severity;
  layer: Layer;
  description: string;
  remediation: string;
  references: string[];
  /** CIS section 5 control numbers and NSA/CISA hardening guide topics this check maps to. */
  frameworks: { cis?: string[]; nsa?: string[] };
}

/** One problem a check found in one object. The engine turns it into a Finding. */
export interface Violation {
  message: string;
  /** Offending field, relative to the object; gives the finding its line. */
  path?: FieldPath;
  container?: string;
  /** Overrides for checks whose verdict varies per object (e.g. PSS level/version). */
  severity?: Severity;
  status?: Status;
  frameworks?: Frameworks;
  /** Report this violation against another object (set-level checks). */
  object?: K8sObject;
}

/** Read-only view of everything being scanned, for checks that relate objects (network, RBAC). */
export interface ScanContext {
  objects: readonly K8sObject[];
  /** Effective options that change results. */
  options: CheckOptions;
}

export interface CheckOptions {
  pssLevel: "baseline" | "restricted";
  pssVersion: string;
}

export interface ObjectCheck extends CheckMeta {
  /** Kinds this check looks at; "*" for all. */
  kinds: readonly string[];
  /**
   * False when the scan's options leave this check out of the policy (a restricted Pod Security
   * check in a baseline scan, a check newer than the chosen version): it then neither runs nor passes.
   */
  appliesTo?(options: CheckOptions): boolean;
  /** Framework mappings that depend on the scan's options (the resolved PSS version), for pass findings. */
  frameworksAt?(options: CheckOptions): Frameworks;
  run(obj: K8sObject, ctx: ScanContext): Violation[];
}

/** A check over the whole set of objects, e.g. "namespace without NetworkPolicy". */
export interface SetCheck extends CheckMeta {
  runAll(ctx: ScanContext): Violation[];
}

export type Check = ObjectCheck | SetCheck;

export function isSetCheck(c: Check): c is SetCheck {
  return "runAll" in c;
}
