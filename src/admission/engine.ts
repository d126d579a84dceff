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
import { AdmissionError, fieldText } from "./errors.js";
import { type MutationOptions, mutationPatch } from "./mutate.js";
import {
  evaluatePodSecurity,
  IGNORED_POD_SUBRESOURCES,
  isSignificantPodUpdate,
  PSA_AUDIT_KEYS,
  policyToEvaluate,
  shortWarning,
} from "./psa.js";
import type { AdmissionRequest, AdmissionResponse } from "./review.js";
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
}

/** What the decision was made of, for metrics and logs. */
export interface AdmissionDecision {
  response: AdmissionResponse;
  /** "allow", "deny", "warn" (allowed with warnings) or "error" (a 4xx/5xx answer). */
  decision: "allow" | "deny" | "warn" | "error";
  /** Policy evaluation errors (CEL errors, scan failures) that did not stop the decision. */
  policyErrors: string[];
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
      let live: Record<string, string> | undefined;
      try {
        live = await this.opts.namespaceLabels(namespace);
      } catch (err) {
        throw new AdmissionError(
          "namespace-lookup",
          `failed to lookup namespace ${namespace}: ${(err as Error).message}`,
        );
      }
      if (live) return live;
    }
    return this.config.namespaces[namespace]?.labels ?? {};
  }

  /** Validates a request (the /validate endpoint and `admission review`). */
  async validate(req: AdmissionRequest): Promise<AdmissionDecision> {
    const response: AdmissionResponse = { uid: req.uid, allowed: true };
    const denials: string[] = [];
    let denyCode: number | undefined;
    const warnings: string[] = [];
    const audit: Record<string, string> = {};
    const policyErrors: string[] = [];
    const writing = req.operation === "CREATE" || req.operation === "UPDATE";
    const isPodResource = req.resource.group === "" && req.resource.resource === "pods";
    let labels: Record<string, string> | undefined;
    // Like upstream: a failed namespace lookup fails a Pod request (500) but only annotates a workload's.
    const labelsOnce = async (): Promise<Record<string, string>> => {
      if (labels) return labels;
      try {
        labels = await this.labelsOf(req.namespace);
      } catch (err) {
        if (isPodResource || !(err instanceof AdmissionError)) throw err;
        audit[PSA_AUDIT_KEYS.error] = err.message;
        policyErrors.push(err.message);
        labels = {};
      }
      return labels;
    };
    try {
      if (writing && !isRecord(req.object))
        return badRequest(req, "failed to decode object: request.object is missing");
      if (
        req.resource.group === "" &&
        req.resource.resource === "namespaces" &&
        req.subResource === undefined &&
        writing
      ) {
        const invalid = this.namespaceLabelErrors(req);
        if (invalid) return invalid;
      }
      const object = isRecord(req.object) ? req.object : undefined;
      const obj = object ? objectFromData(object, `admission:${req.uid}`) : undefined;
      const pod = obj ? podOf(obj) : undefined;
      let evaluatePod =
        writing &&
        obj !== undefined &&
        (isPodResource
          ? !IGNORED_POD_SUBRESOURCES.has(req.subResource ?? "")
          : req.subResource === undefined);
      if (evaluatePod && isPodResource && obj!.kind !== "Pod")
        return badRequest(
          req,
          `failed to decode pod: request.object is a ${JSON.stringify(obj!.kind)}, not a Pod`,
        );
      if (evaluatePod && isPodResource && req.operation === "UPDATE") {
        if (!isRecord(req.oldObject))
          return badRequest(req, "failed to decode old object: request.oldObject is missing");
        if (req.oldObject.kind !== "Pod")
          return badRequest(
            req,
            `failed to decode old pod: request.oldObject is a ${JSON.stringify(req.oldObject.kind)}, not a Pod`,
          );
        if (!isSignificantPodUpdate(object!, req.oldObject)) evaluatePod = false;
      }
      const username = req.userInfo.username ?? "";

      // Pod Security (pods and workload templates).
      if (evaluatePod && pod) {
        const ex = this.config.podSecurity.exemptions;
        if (req.namespace && ex.namespaces.includes(req.namespace))
          audit[PSA_AUDIT_KEYS.exempt] = "namespace";
        else if (username && ex.usernames.includes(username)) audit[PSA_AUDIT_KEYS.exempt] = "user";
        else {
          const { policy, errors } = policyToEvaluate(await labelsOnce(), this.config.podSecurity.defaults);
          const allPrivileged =
            errors.length === 0 &&
            policy.warn.level === "privileged" &&
            policy.audit.level === "privileged" &&
            (!isPodResource || policy.enforce.level === "privileged");
          if (allPrivileged && isPodResource) audit[PSA_AUDIT_KEYS.enforcePolicy] = "privileged:latest";
          if (!allPrivileged) {
            const out = evaluatePodSecurity({
              pod: { metadata: pod.metadata, spec: pod.spec },
              policy,
              policyErrors: errors,
              exemptions: ex,
              enforce: isPodResource,
              forbiddenPrefix: forbiddenPrefix(req),
            });
            if (out.deny) denials.push(out.deny);
            warnings.push(...out.warnings);
            Object.assign(audit, out.auditAnnotations);
          }
        }
      }

      // kubeward rules: scanner checks, images, resources, signatures, vulnerabilities.
      const ruleExempt =
        (req.namespace !== undefined && this.config.exemptions.namespaces.includes(req.namespace)) ||
        (username !== "" && this.config.exemptions.usernames.includes(username));
      const runRules =
        writing &&
        obj !== undefined &&
        !ruleExempt &&
        (isPodResource ? evaluatePod : req.subResource === undefined);
      if (runRules && this.families.length > 0) {
        const nsLabels = await labelsOnce();
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
        const nsLabels = req.namespace ? await labelsOnce() : {};
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
    } catch (err) {
      if (err instanceof AdmissionError && err.code === "namespace-lookup") {
        return {
          response: {
            uid: req.uid,
            allowed: false,
            status: { code: 500, reason: "InternalError", status: "Failure", message: err.message },
            auditAnnotations: { [PSA_AUDIT_KEYS.error]: err.message },
          },
          decision: "error",
          policyErrors: [err.message],
        };
      }
      throw err;
    }
    if (denials.length > 0) {
      response.allowed = false;
      const code = denyCode ?? 403;
      const reason =
        { 401: "Unauthorized", 413: "RequestEntityTooLarge", 422: "Invalid" }[code as 401] ?? "Forbidden";
      response.status = { code, reason, status: "Failure", message: denials.join("; ") };
    }
    if (warnings.length > 0) response.warnings = warnings;
    if (Object.keys(audit).length > 0) response.auditAnnotations = audit;
    const decision = !response.allowed ? "deny" : warnings.length > 0 ? "warn" : "allow";
    return { response, decision, policyErrors };
  }

  /**
   * Pod Security labels of a Namespace must be valid on create, and on update when they changed
   * (upstream ValidateNamespace; the dry run of existing pods against a tightened level is not done).
   */
  private namespaceLabelErrors(req: AdmissionRequest): AdmissionDecision | undefined {
    const labelsOf = (o: unknown) => {
      const m = isRecord(o) ? o.metadata : undefined;
      const l = isRecord(m) ? m.labels : undefined;
      const out: Record<string, string> = {};
      if (isRecord(l)) for (const [k, v] of Object.entries(l)) if (typeof v === "string") out[k] = v;
      return out;
    };
    const defaults = this.config.podSecurity.defaults;
    const now = policyToEvaluate(labelsOf(req.object), defaults).errors;
    if (now.length === 0) return undefined;
    if (req.operation === "UPDATE") {
      const before = policyToEvaluate(labelsOf(req.oldObject), defaults).errors;
      if (before.length > 0 && before.join("\n") === now.join("\n")) return undefined;
    }
    const name =
      req.name ??
      (isRecord(req.object) && isRecord(req.object.metadata) ? String(req.object.metadata.name ?? "") : "");
    const detail = now.length === 1 ? now[0] : `[${now.join(", ")}]`;
    return {
      response: {
        uid: req.uid,
        allowed: false,
        status: {
          code: 422,
          reason: "Invalid",
          status: "Failure",
          message: `Namespace ${JSON.stringify(name)} is invalid: ${detail}`,
        },
      },
      decision: "deny",
      policyErrors: [],
    };
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

/** `pods "web-1" is forbidden: ` as the API's Forbidden errors read (no name: `pods is forbidden: `). */
function forbiddenPrefix(req: AdmissionRequest): string {
  const r = req.resource.group ? `${req.resource.resource}.${req.resource.group}` : req.resource.resource;
  return req.name ? `${r} ${JSON.stringify(req.name)} is forbidden: ` : `${r} is forbidden: `;
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
