// The transport-independent handling of one AdmissionReview body: parse, decide, answer. The HTTPS
// server and the offline `admission review` command both call handleReview, so they cannot differ.

import { type AdmissionConfig, loadAdmissionConfig } from "./config.js";
import {
  type AdmissionDecision,
  AdmissionEngine,
  type EngineOptions,
  type ValidateOptions,
} from "./engine.js";
import { AdmissionError } from "./errors.js";
import type { PsaMetricEvent } from "./psa.js";
import { type AdmissionRequest, parseReview, reviewResponse } from "./review.js";
import { loadParamFiles, loadPolicyFiles } from "./vap/load.js";

export type Endpoint = "validate" | "mutate";

export interface HandledReview {
  /** HTTP status: 200 for any decision; 400 for a body that is not a usable AdmissionReview. */
  httpStatus: number;
  payload: Record<string, unknown>;
  decision: AdmissionDecision["decision"];
  policyErrors: string[];
  /** Set for a bad request: the stable error code. */
  errorCode?: string;
  dryRun: boolean;
  /** The evaluated request (absent for a bad request), for metrics. */
  request?: AdmissionRequest;
  /** Pod Security's metric events (validate only). */
  podSecurity: readonly PsaMetricEvent[];
}

/** A Status answer for a body that cannot be answered as an AdmissionReview. */
export function badRequestPayload(code: string, message: string, httpStatus = 400): Record<string, unknown> {
  const reason = httpStatus === 413 ? "RequestEntityTooLarge" : httpStatus === 408 ? "Timeout" : "BadRequest";
  return {
    apiVersion: "v1",
    kind: "Status",
    status: "Failure",
    code: httpStatus,
    reason,
    message,
    details: { causes: [{ reason: code, message }] },
  };
}

export async function handleReview(
  engine: AdmissionEngine,
  endpoint: Endpoint,
  body: string | Buffer,
  source?: string,
  opts: ValidateOptions = {},
): Promise<HandledReview> {
  let parsed: ReturnType<typeof parseReview>;
  try {
    parsed = parseReview(body, source);
  } catch (err) {
    if (err instanceof AdmissionError)
      return {
        httpStatus: 400,
        payload: badRequestPayload(err.code, err.message),
        decision: "error",
        policyErrors: [],
        errorCode: err.code,
        dryRun: false,
        podSecurity: [],
      };
    throw err;
  }
  const d =
    endpoint === "validate"
      ? await engine.validate(parsed.request, opts)
      : await engine.mutate(parsed.request);
  return {
    httpStatus: 200,
    payload: reviewResponse(parsed.apiVersion, d.response),
    decision: d.decision,
    policyErrors: d.policyErrors,
    dryRun: parsed.request.dryRun === true,
    request: parsed.request,
    podSecurity: d.podSecurity ?? [],
  };
}

/** Engine options, or a function choosing them once the config is known. */
export type EngineOptionsFor =
  | Omit<EngineOptions, "vap">
  | ((config: AdmissionConfig) => Promise<Omit<EngineOptions, "vap">>);

/** Builds an engine from a config file: the config, its ValidatingAdmissionPolicy files and params. */
export async function loadEngine(configFile: string, opts: EngineOptionsFor = {}): Promise<AdmissionEngine> {
  const config = await loadAdmissionConfig(configFile);
  const engineOpts: EngineOptions = { ...(typeof opts === "function" ? await opts(config) : opts) };
  if (config.policies.files.length > 0) {
    const loaded = await loadPolicyFiles(config.policies.files);
    engineOpts.vap = { ...loaded, params: await loadParamFiles(config.policies.params) };
  }
  return new AdmissionEngine(config, engineOpts);
}
