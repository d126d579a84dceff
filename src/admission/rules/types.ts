import type {
  ImageVulnerabilityScanner,
  SignatureVerdict,
  SignatureVerifier,
} from "../../core/image-gates.js";
import type { FieldPath, Finding, Severity } from "../../core/model.js";
import type { K8sObject } from "../../core/object.js";
import type { PodView } from "../../core/podspec.js";
import type { AdmissionConfig, Mode, RuleScope } from "../config.js";
import type { AdmissionRequest } from "../review.js";

/** One rule violation: which rule, in which mode, where. */
export interface RuleHit {
  /** Check id (KW-WL-004) or kubeward admission rule id (image-registry, resources-max, ...). */
  rule: string;
  mode: Mode;
  message: string;
  container?: string;
  path?: FieldPath;
  severity?: Severity;
  /** A warning that is not a violation (e.g. a scan that timed out and was allowed). */
  notice?: boolean;
  /** The rule could not be evaluated (verification or scan failed); counted as a policy error. */
  error?: boolean;
}

export interface RuleContext {
  request: AdmissionRequest;
  obj: K8sObject;
  /** The pod spec of a Pod or of a workload's template, if any. */
  pod?: PodView;
  namespaceLabels: Readonly<Record<string, string>>;
  config: AdmissionConfig;
  gates: SupplyChainGates;
  /** Whether a rule's scope covers this request's namespace. */
  inScope(scope: RuleScope): boolean;
}

export interface SupplyChainGates {
  signatureVerifier?: SignatureVerifier;
  vulnerabilityScanner?: ImageVulnerabilityScanner;
  /** Verdicts by rule and digest. */
  signatureCache: Map<string, SignatureVerdict>;
  /** Time box of one signature verification (default 4 s). */
  signatureTimeoutMs?: number;
  /** Scan results by digest. */
  vulnerabilityCache: Map<string, { digest: string; findings: Finding[] }>;
}

/** A kubeward admission rule family. Synchronous families leave `async` unset. */
export interface AdmissionRuleFamily {
  name: string;
  /** Whether the config uses this family at all (skip it cheaply otherwise). */
  enabled(config: AdmissionConfig): boolean;
  evaluate(ctx: RuleContext): RuleHit[] | Promise<RuleHit[]>;
}
