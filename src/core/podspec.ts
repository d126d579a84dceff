import type { FieldPath } from "./model.js";
import { getIn, isRecord, type K8sObject, type ObjectMeta } from "./object.js";

/** Where each workload kind keeps its pod template, relative to the object. */
const TEMPLATE_PATHS: Record<string, FieldPath> = {
  Pod: [],
  PodTemplate: ["template"],
  Deployment: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  Job: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export const POD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

export interface PodView {
  /** Pod (or template) metadata. */
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  /** Path of the pod spec inside the object, to build field paths for findings. */
  specPath: FieldPath;
}

export interface ContainerView {
  container: Record<string, unknown>;
  name: string;
  /** Path of this container inside the object. */
  path: FieldPath;
  type: "containers" | "initContainers" | "ephemeralContainers";
}

function templateAt(obj: K8sObject, base: FieldPath): Record<string, unknown> | undefined {
  const template = base.length === 0 ? obj.raw : getIn(obj.raw, base);
  return isRecord(template) ? template : undefined;
}

/** A workload's pod template (a Pod is its own); undefined for other kinds or a missing template. */
export function podTemplateOf(obj: K8sObject): Record<string, unknown> | undefined {
  const base = TEMPLATE_PATHS[obj.kind];
  return base ? templateAt(obj, base) : undefined;
}

/** The pod spec of a Pod or of a workload's template; undefined when the object carries none. */
export function podOf(obj: K8sObject): PodView | undefined {
  const base = TEMPLATE_PATHS[obj.kind];
  if (!base) return undefined;
  const template = templateAt(obj, base);
  if (!template) return undefined;
  const spec = template.spec;
  if (!isRecord(spec)) return undefined;
  const metadata = (isRecord(template.metadata) ? template.metadata : {}) as ObjectMeta;
  return { metadata, spec, specPath: [...base, "spec"] };
}

/** All containers of a pod spec, init and ephemeral ones included, with their paths. */
export function containersOf(pod: PodView): ContainerView[] {
  const out: ContainerView[] = [];
  for (const type of ["initContainers", "containers", "ephemeralContainers"] as const) {
    const list = pod.spec[type];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!isRecord(c)) return;
      out.push({
        container: c,
        name: typeof c.name === "string" ? c.name : `${type}[${i}]`,
        path: [...pod.specPath, type, i],
        type,
      });
    });
  }
  return out;
}
