// Real manifests for the cluster-scan tests: the project's examples/ and upstream Pod Security
// fixtures, as `kubectl apply` would store them, plus the objects controllers create from them
// (ReplicaSets and Pods of a Deployment, Jobs and Pods of a CronJob).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadManifests } from "../../src/core/loader/index.js";
import { stored, uidOf } from "../helpers/kube-apiserver.js";

type Obj = Record<string, unknown>;

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const PSS_TESTDATA = resolve(ROOT, "..", "shared", "conformance", "pod-security", "testdata");

/** Every object of examples/, stored as applied (the CronJob without a namespace lands in default). */
export async function exampleObjects(): Promise<Obj[]> {
  const loaded = await loadManifests([join(ROOT, "examples")]);
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
  return loaded.objects.map((o) => stored(structuredClone(o.raw)));
}

/** A DNS-1123 name for an upstream fixture file: "restricted-fail-runasnonroot0". */
export function fixtureName(level: string, outcome: string, file: string): string {
  return `${level}-${outcome}-${basename(file, ".yaml")}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/** The upstream fixtures of LEVEL/VERSION/OUTCOME as Pods renamed uniquely and placed in `namespace`. */
export async function pssFixturePods(
  level: string,
  version: string,
  outcome: "pass" | "fail",
  namespace: string,
): Promise<Obj[]> {
  const dir = join(PSS_TESTDATA, level, version, outcome);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const loaded = await loadManifests(files.map((f) => join(dir, f)));
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
  return loaded.objects.map((o) => {
    const raw = structuredClone(o.raw);
    const meta = (raw.metadata ?? {}) as Obj;
    raw.metadata = { ...meta, name: fixtureName(level, outcome, o.source.file), namespace };
    return stored(raw);
  });
}

function ownerRef(owner: Obj): Obj {
  const meta = owner.metadata as { name: string; namespace?: string };
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: meta.name,
    uid: uidOf(String(owner.kind), meta.namespace, meta.name),
    controller: true,
    blockOwnerDeletion: true,
  };
}

function podFrom(template: Obj, name: string, namespace: string, owner: Obj): Obj {
  const t = structuredClone(template) as { metadata?: Obj; spec?: Obj };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...(t.metadata ?? {}), name, namespace, ownerReferences: [ownerRef(owner)] },
    spec: { ...(t.spec ?? {}), nodeName: "node-1" },
  };
}

/**
 * What the controllers make of the applied workloads: each Deployment's ReplicaSet and two Pods,
 * each CronJob's Job and its Pod. Their owners are scanned, so a cluster scan must not report them.
 */
export function controllerCreated(applied: readonly Obj[]): Obj[] {
  const out: Obj[] = [];
  for (const obj of applied) {
    const meta = obj.metadata as { name: string; namespace: string };
    const spec = (obj.spec ?? {}) as Obj;
    if (obj.kind === "Deployment") {
      const rs: Obj = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${meta.name}-5d9c7f`,
          namespace: meta.namespace,
          ownerReferences: [ownerRef(obj)],
        },
        spec: { replicas: 2, selector: spec.selector, template: structuredClone(spec.template) },
      };
      out.push(rs);
      for (const suffix of ["x7k2p", "q9w4z"])
        out.push(podFrom(spec.template as Obj, `${meta.name}-5d9c7f-${suffix}`, meta.namespace, rs));
    }
    if (obj.kind === "CronJob") {
      const jobSpec = ((spec.jobTemplate ?? {}) as Obj).spec as Obj;
      const job: Obj = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
          name: `${meta.name}-29420000`,
          namespace: meta.namespace,
          ownerReferences: [ownerRef(obj)],
        },
        spec: structuredClone(jobSpec),
      };
      out.push(job);
      out.push(podFrom(jobSpec.template as Obj, `${meta.name}-29420000-m2x8d`, meta.namespace, job));
    }
  }
  return out;
}

/** Writes objects as JSON manifest files, one per object, for `scan manifests`. */
export function writeManifests(dir: string, objects: readonly Obj[]): void {
  mkdirSync(dir, { recursive: true });
  objects.forEach((o, i) => {
    writeFileSync(
      join(dir, `${String(i).padStart(4, "0")}-${String(o.kind).toLowerCase()}.json`),
      JSON.stringify(o, null, 2),
    );
  });
}
