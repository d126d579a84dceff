// The admission decision: one AdmissionRequest in, one AdmissionResponse out. Pod Security uses the
// scanner's PSS engine with upstream admission semantics; the kubeward rules call the scanner's
// checks and the image/resource/supply-chain rule families; ValidatingAdmissionPolicies run on CEL.
// No I/O of its own: namespace labels, signature verification, vulnerability scans and digest
// resolution come in through the options object. The server and `admission review` both call this.
import { matchSelector } from "../config/checks/lib/selector.js";
import type { ImageVulnerabilityScanner, SignatureVerifier } from "../core/image-gates.js";
import { isRecord, objectFromData } from "../core/object.js";
import { podOf } from "../core/podspec.js";
import type { AdmissionConfig, RuleScope } from "./config.js";
import { fieldText } from "./errors.js";
import { type MutationOptions, mutationPatch } from "./mutate.js";
import type { NamespacePodSource } from "./namespaces.js";
import {
  IGNORED_POD_SUBRESOURCES,
  isSignificantPodUpdate,
  namespaceLookupFailure,
  type PsaMetricEvent,
  validatePodSecurity,
} from "./psa.js";
import type { AdmissionRequest, AdmissionResponse, AdmissionStatus } from "./review.js";
import { selectedChecks } from "./rules/checks.js";
import { RULE_FAMILIES, type RuleContext, type RuleHit, type SupplyChainGates } from "./rules/index.js";
import { evaluateVap, type VapSet } from "./vap/evaluate.js";

export interface EngineOptions {
  /**
   * Live namespace labels (the server reads them from the API). Resolves undefined when the
   * namespace is unknown (the config's `namespaces` entry, or no labels, then applies); rejects
   * when the lookup fails.
   */
  namespaceLabels?: (namespace: string) => Promise<Record<string, string> | undefined>;
  signatureVerifier?: SignatureVerifier;
  vulnerabilityScanner?: ImageVulnerabilityScanner;
  /** Loaded ValidatingAdmissionPolicies, bindings and params. */
  vap?: VapSet;
  /** Mutation helpers (digest resolution). */
  mutation?: MutationOptions;
  /** Most verdicts kept in each supply-chain cache. */
  cacheSize?: number;
  /** Time box of one signature verification (default 4 s, under the webhook's 5 s timeout). */
  signatureTimeoutMs?: number;
  /**
   * A namespace's pods (the server lists them from the API), for upstream's dry run when a
   * Namespace update tightens its enforce level. Without it no dry run is done.
   */
  namespacePods?: NamespacePodSource;
  /** Most pods that dry run evaluates (default 3000, as upstream). */
  namespacePodCheckLimit?: number;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
}

const NAMESPACE_POD_CHECK_LIMIT = 3000;
/** Time budget of that dry run, listing included (1 s, as upstream). */
const NAMESPACE_POD_CHECK_TIMEOUT_MS = 1000;

/** What the decision was made of, for metrics and logs. */
export interface AdmissionDecision {
  response: AdmissionResponse;
  /** "allow", "deny", "warn" (allowed with warnings) or "error" (a 4xx/5xx answer). */
  decision: "allow" | "deny" | "warn" | "error";
  /** Policy evaluation errors (CEL errors, scan failures) that did not stop the decision. */
  policyErrors: string[];
  /** Pod Security's metric events for this request (upstream's evaluations, exemptions, errors). */
  podSecurity?: PsaMetricEvent[];
}

/** Per-request inputs that do not come from the review body. */
export interface ValidateOptions {
  /**
   * When the API server stops waiting for this answer, on the engine's clock (`now`, Date.now by
   * default); the server takes it from the webhook call's `timeout`. Absent offline.
   */
  deadline?: number;
}

class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(k: K, v: V): this {
    if (!this.has(k) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(k, v);
  }
}

export class AdmissionEngine {
  private readonly gates: SupplyChainGates;
  private readonly families;

  constructor(
    readonly config: AdmissionConfig,
    private readonly opts: EngineOptions = {},
  ) {
    const size = opts.cacheSize ?? 2048;
    this.gates = {
      ...(opts.signatureVerifier ? { signatureVerifier: opts.signatureVerifier } : {}),
      ...(opts.vulnerabilityScanner ? { vulnerabilityScanner: opts.vulnerabilityScanner } : {}),
      signatureCache: new BoundedMap(size),
      ...(opts.signatureTimeoutMs !== undefined ? { signatureTimeoutMs: opts.signatureTimeoutMs } : {}),
      vulnerabilityCache: new BoundedMap(size),
    };
    this.families = Object.values(RULE_FAMILIES).filter((f) => f.enabled(config));
    // Validate check ids now, not on the first request.
    if (config.checks.length > 0) selectedChecks(config);
  }

  private async labelsOf(namespace: string | undefined): Promise<Record<string, string>> {
    if (!namespace) return {};
    if (this.opts.namespaceLabels) {
      const live = await this.opts.namespaceLabels(namespace);
      if (live) return live;
    }
    return this.config.namespaces[namespace]?.labels ?? {};
  }

  /** Validates a request (the /validate endpoint and `admission review`). */
  async validate(req: AdmissionRequest, opts: ValidateOptions = {}): Promise<AdmissionDecision> {
    const podSecurity: PsaMetricEvent[] = [];
    const decision = await this.decide(req, opts.deadline, podSecurity);
    decision.podSecurity = podSecurity;
    return decision;
  }

  private async decide(
    req: AdmissionRequest,
    deadline: number | undefined,
    podSecurity: PsaMetricEvent[],
  ): Promise<AdmissionDecision> {
    const response: AdmissionResponse = { uid: req.uid, allowed: true };
    const denials: string[] = [];
    let denyStatus: AdmissionStatus | undefined;
    let denyCode: number | undefined;
    const warnings: string[] = [];
    const audit: Record<string, string> = {};
    const policyErrors: string[] = [];
    const writing = req.operation === "CREATE" || req.operation === "UPDATE";
    const isPodResource = req.resource.group === "" && req.resource.resource === "pods";
    // One lookup per request, shared by Pod Security, the rules and the policies.
    let labelsP: Promise<Record<string, string>> | undefined;
    const lookup = () => {
      labelsP ??= this.labelsOf(req.namespace);
      return labelsP;
    };

    // Pod Security first, exactly as upstream's admission answers (its errors end the request).
    const psa = writing
      ? await validatePodSecurity(req, {
          defaults: this.config.podSecurity.defaults,
          exemptions: this.config.podSecurity.exemptions,
          namespaceLabels: lookup,
          namespacePods: this.opts.namespacePods,
          now: this.opts.now ?? Date.now,
          podCheckLimit: this.opts.namespacePodCheckLimit ?? NAMESPACE_POD_CHECK_LIMIT,
          podCheckTimeoutMs: NAMESPACE_POD_CHECK_TIMEOUT_MS,
          deadline,
          record: (event) => podSecurity.push(event),
        })
      : undefined;
    if (psa?.lookupError) policyErrors.push(psa.lookupError);
    if (psa?.status && psa.status.code !== 403) {
      const r: AdmissionResponse = { uid: req.uid, allowed: false, status: psa.status };
      if (psa.warnings.length > 0) r.warnings = psa.warnings;
      if (Object.keys(psa.auditAnnotations).length > 0) r.auditAnnotations = psa.auditAnnotations;
      return { response: r, decision: psa.status.code === 422 ? "deny" : "error", policyErrors };
    }
    if (psa) {
      if (psa.status) {
        denials.push(psa.status.message);
        denyStatus = psa.status;
      }
      warnings.push(...psa.warnings);
      Object.assign(audit, psa.auditAnnotations);
    }
    if (writing && !isRecord(req.object) && psa === undefined)
      return badRequest(req, "failed to decode object: request.object is missing");

    // Labels for the rules and policies; a failed lookup fails a Pod request, annotates others.
    const rulesLabels = async (): Promise<Record<string, string> | AdmissionDecision> => {
      try {
        return await lookup();
      } catch (err) {
        const failure = namespaceLookupFailure(req.namespace ?? "", err, isPodResource);
        policyErrors.push(failure.lookupError!);
        if (failure.status)
          return {
            response: {
              uid: req.uid,
              allowed: false,
              status: failure.status,
              auditAnnotations: failure.auditAnnotations,
            },
            decision: "error",
            policyErrors,
          };
        Object.assign(audit, failure.auditAnnotations);
        return {};
      }
    };

    const object = isRecord(req.object) ? req.object : undefined;
    const obj = writing && object ? objectFromData(object, `admission:${req.uid}`) : undefined;
    const pod = obj ? podOf(obj) : undefined;
    const username = req.userInfo.username ?? "";

    // kubeward rules: scanner checks, images, resources, signatures, vulnerabilities. Pod requests
    // follow Pod Security's scope: not on ignored subresources nor on insignificant updates.
    const ruleExempt =
      (req.namespace !== undefined && this.config.exemptions.namespaces.includes(req.namespace)) ||
      (username !== "" && this.config.exemptions.usernames.includes(username));
    const runRules =
      obj !== undefined &&
      !ruleExempt &&
      (isPodResource ? podChangeMatters(req, object!) : req.subResource === undefined);
    if (runRules && this.families.length > 0) {
      const nsLabels = await rulesLabels();
      if (isDecision(nsLabels)) return nsLabels;
      const ctx: RuleContext = {
        request: req,
        obj: obj!,
        ...(pod ? { pod } : {}),
        namespaceLabels: nsLabels,
        config: this.config,
        gates: this.gates,
        inScope: (scope: RuleScope) => inScope(scope, nsLabels),
      };
      // Families run side by side (the supply-chain ones wait on the network); hits keep family order.
      const hits: RuleHit[] = (await Promise.all(this.families.map((f) => f.evaluate(ctx)))).flat();
      const auditLines: string[] = [];
      for (const h of hits) {
        const where = [
          h.container !== undefined ? `container "${h.container}"` : "",
          h.path ? `field ${fieldText(h.path)}` : "",
        ]
          .filter(Boolean)
          .join(", ");
        const line = `${h.rule}${where ? ` (${where})` : ""}: ${h.message}`;
        if (h.mode === "enforce") denials.push(line);
        else if (h.mode === "warn")
          warnings.push(shortWarning(h.notice ? h.message : `${h.rule}: ${h.message}`));
        else auditLines.push(line);
        if (h.error) policyErrors.push(h.message);
      }
      if (auditLines.length > 0) audit["kubeward-audit-violations"] = auditLines.join("; ");
    }

    // ValidatingAdmissionPolicies.
    if (this.opts.vap && this.opts.vap.bindings.length > 0) {
      let nsLabels: Record<string, string> = {};
      if (req.namespace) {
        const l = await rulesLabels();
        if (isDecision(l)) return l;
        nsLabels = l;
      }
      const out = evaluateVap(
        this.opts.vap,
        req,
        req.namespace ? namespaceObject(req.namespace, nsLabels) : undefined,
      );
      if (out.denials.length > 0 && denials.length === 0) denyCode = out.denyCode;
      denials.push(...out.denials);
      warnings.push(...out.warnings.map(shortWarning));
      Object.assign(audit, out.auditAnnotations);
      policyErrors.push(...out.errors);
    }

    if (denials.length > 0) {
      response.allowed = false;
      if (denials.length === 1 && denyStatus) response.status = denyStatus;
      else {
        const code = denyCode ?? 403;
        const reason =
          { 401: "Unauthorized", 413: "RequestEntityTooLarge", 422: "Invalid" }[code as 401] ?? "Forbidden";
        response.status = {
          code,
          reason,
          status: "Failure",
          message: denials.join("; "),
          ...(denyStatus?.details ? { details: denyStatus.details } : {}),
        };
      }
    }
    // Pod Security's warnings are upstream's, whole; the others were cut to size when added.
    if (warnings.length > 0) response.warnings = warnings;
    if (Object.keys(audit).length > 0) response.auditAnnotations = audit;
    const decision = !response.allowed ? "deny" : warnings.length > 0 ? "warn" : "allow";
    return { response, decision, policyErrors };
  }

  /** Mutates a request (the /mutate endpoint): a JSONPatch making pods pass restricted where safe. */
  async mutate(req: AdmissionRequest): Promise<AdmissionDecision> {
    const response: AdmissionResponse = { uid: req.uid, allowed: true };
    const m = this.config.mutation;
    if (
      !m.enabled ||
      (req.operation !== "CREATE" && req.operation !== "UPDATE") ||
      req.subResource !== undefined
    )
      return { response, decision: "allow", policyErrors: [] };
    if (!isRecord(req.object)) return badRequest(req, "failed to decode object: request.object is missing");
    // Never touch existing pods' specs on update (they are immutable); templates may change.
    if (req.operation === "UPDATE" && req.resource.resource === "pods")
      return { response, decision: "allow", policyErrors: [] };
    const { patch, warnings, errors } = await mutationPatch(req.object, m, this.opts.mutation ?? {});
    if (patch.length > 0) {
      response.patchType = "JSONPatch";
      response.patch = Buffer.from(JSON.stringify(patch)).toString("base64");
    }
    if (warnings.length > 0) response.warnings = warnings.map(shortWarning);
    return { response, decision: "allow", policyErrors: errors };
  }
}

function inScope(scope: RuleScope, labels: Readonly<Record<string, string>>): boolean {
  if (!scope.namespaceSelector) return true;
  const r = matchSelector(scope.namespaceSelector, labels);
  return r.ok && r.matches;
}

function namespaceObject(name: string, labels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/** Whether a pod request can change what the pod runs: not an ignored subresource nor an insignificant update. */
function podChangeMatters(req: AdmissionRequest, object: Record<string, unknown>): boolean {
  if (IGNORED_POD_SUBRESOURCES.has(req.subResource ?? "")) return false;
  if (req.operation !== "UPDATE" || !isRecord(req.oldObject)) return true;
  return isSignificantPodUpdate(object, req.oldObject);
}

function isDecision(v: Record<string, string> | AdmissionDecision): v is AdmissionDecision {
  return typeof (v as AdmissionDecision).decision === "string" && isRecord((v as AdmissionDecision).response);
}

const MAX_WARNING = 119;

/** Keeps a kubeward warning under 120 characters, cutting with "..." when longer. */
function shortWarning(s: string): string {
  return s.length <= MAX_WARNING ? s : `${s.slice(0, MAX_WARNING - 3)}...`;
}

function badRequest(req: AdmissionRequest, message: string): AdmissionDecision {
  return {
    response: {
      uid: req.uid,
      allowed: false,
      status: { code: 400, reason: "BadRequest", status: "Failure", message },
    },
    decision: "error",
    policyErrors: [],
  };
}
