import type { FieldPath, ResourceRef } from "./model.js";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A Kubernetes object as loaded from a manifest, a cluster or an AdmissionReview. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /** The whole object as plain JSON data. */
  raw: Record<string, unknown>;
  /** Where it came from: the file as the user named it, the line of the object, its index in the file. */
  source: { file: string; line?: number; index: number };
  /** Line of a field (path relative to the object) in the source file, when known; else the object's line. */
  lineOf(path: FieldPath): number | undefined;
}

export function resourceRef(obj: K8sObject, container?: string): ResourceRef {
  const { namespace, name } = obj.metadata;
  // One literal per shape keeps these hot objects monomorphic (tens of thousands per scan).
  if (namespace && name) {
    return container
      ? { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name, container }
      : { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name };
  }
  const ref: ResourceRef = { apiVersion: obj.apiVersion, kind: obj.kind };
  if (namespace) ref.namespace = namespace;
  if (name) ref.name = name;
  if (container) ref.container = container;
  return ref;
}

/** Builds an object with no source file (admission requests, cluster reads, tests). */
export function objectFromData(data: Record<string, unknown>, file = "<memory>", index = 0): K8sObject {
  const metadata = (isRecord(data.metadata) ? data.metadata : {}) as ObjectMeta;
  return {
    apiVersion: typeof data.apiVersion === "string" ? data.apiVersion : "",
    kind: typeof data.kind === "string" ? data.kind : "",
    metadata,
    raw: data,
    source: { file, index },
    lineOf: () => undefined,
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a nested value by path without throwing on missing or mistyped parents. */
export function getIn(data: unknown, path: FieldPath): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}
