// AdmissionReview in and out: admission.k8s.io/v1 and v1beta1 (answered in the version asked).
import { isRecord } from "../core/object.js";
import { AdmissionError } from "./errors.js";

export const REVIEW_VERSIONS = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] as const;
export type ReviewVersion = (typeof REVIEW_VERSIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  userInfo: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
  options?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

export interface AdmissionStatus {
  code: number;
  message: string;
  reason?: string;
  status?: "Failure";
  /** metav1.StatusDetails, as upstream errors carry them (the resource's kind, name, causes). */
  details?: {
    group?: string;
    kind?: string;
    name?: string;
    causes?: Array<{ type?: string; message?: string; field?: string }>;
  };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: "JSONPatch";
  patch?: string;
}

export interface ParsedReview {
  apiVersion: ReviewVersion;
  request: AdmissionRequest;
}

const OPERATIONS = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

/** Deepest nesting accepted in an admitted object (real objects stay far below; evaluation recurses). */
export const MAX_DEPTH = 512;

/** Nesting depth of JSON data, measured without recursion; stops counting past `limit`. */
function nestingDepth(v: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (child !== null && typeof child === "object") stack.push([child, d + 1]);
  }
  return max;
}

/** Parses and checks an AdmissionReview body. Throws AdmissionError with a review-* code. */
export function parseReview(body: string | Buffer, source = "request body"): ParsedReview {
  let data: unknown;
  try {
    data = JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
  } catch (err) {
    throw new AdmissionError("review-not-json", `${source}: not valid JSON: ${(err as Error).message}`);
  }
  return checkReview(data, source);
}

export function checkReview(data: unknown, source = "request body"): ParsedReview {
  if (!isRecord(data))
    throw new AdmissionError("review-not-json", `${source}: expected a JSON object (an AdmissionReview)`);
  if (data.kind !== "AdmissionReview")
    throw new AdmissionError(
      "review-kind",
      `${source}: kind must be AdmissionReview, got ${JSON.stringify(data.kind)}`,
    );
  if (!(REVIEW_VERSIONS as readonly unknown[]).includes(data.apiVersion))
    throw new AdmissionError(
      "review-version",
      `${source}: apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, got ${JSON.stringify(data.apiVersion)}`,
    );
  const req = data.request;
  if (!isRecord(req))
    throw new AdmissionError("review-no-request", `${source}: the AdmissionReview has no request`);
  if (typeof req.uid !== "string" || req.uid === "")
    throw new AdmissionError("review-no-uid", `${source}: request.uid is missing or empty`);
  const problems: string[] = [];
  const gvk = req.kind;
  if (!isRecord(gvk) || typeof gvk.kind !== "string" || typeof gvk.version !== "string")
    problems.push("request.kind must be {group, version, kind}");
  const gvr = req.resource;
  if (!isRecord(gvr) || typeof gvr.resource !== "string" || typeof gvr.version !== "string")
    problems.push("request.resource must be {group, version, resource}");
  if (typeof req.operation !== "string" || !OPERATIONS.has(req.operation))
    problems.push(
      `request.operation must be CREATE, UPDATE, DELETE or CONNECT, got ${JSON.stringify(req.operation)}`,
    );
  for (const k of ["object", "oldObject"] as const)
    if (req[k] !== undefined && req[k] !== null && !isRecord(req[k]))
      problems.push(`request.${k} must be an object`);
  if (req.userInfo !== undefined && !isRecord(req.userInfo))
    problems.push("request.userInfo must be an object");
  if (req.namespace !== undefined && typeof req.namespace !== "string")
    problems.push("request.namespace must be a string");
  for (const k of ["object", "oldObject"] as const) {
    const depth = nestingDepth(req[k], MAX_DEPTH);
    if (depth > MAX_DEPTH) problems.push(`request.${k} is nested more than ${MAX_DEPTH} levels deep`);
  }
  if (problems.length > 0) throw new AdmissionError("review-invalid", `${source}: ${problems.join("; ")}`);
  const g = gvk as Record<string, unknown>;
  const r = gvr as Record<string, unknown>;
  const request: AdmissionRequest = {
    ...req,
    uid: req.uid,
    kind: {
      group: typeof g.group === "string" ? g.group : "",
      version: g.version as string,
      kind: g.kind as string,
    },
    resource: {
      group: typeof r.group === "string" ? r.group : "",
      version: r.version as string,
      resource: r.resource as string,
    },
    operation: req.operation as AdmissionRequest["operation"],
    userInfo: (isRecord(req.userInfo) ? req.userInfo : {}) as AdmissionRequest["userInfo"],
  };
  if (typeof req.subResource === "string" && req.subResource !== "") request.subResource = req.subResource;
  else delete request.subResource;
  return { apiVersion: data.apiVersion as ReviewVersion, request };
}

/** The AdmissionReview answer in the version the request came in. */
export function reviewResponse(
  apiVersion: ReviewVersion,
  response: AdmissionResponse,
): Record<string, unknown> {
  return { apiVersion, kind: "AdmissionReview", response };
}
