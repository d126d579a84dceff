/**
 * Responses to alerts, opt-in per rule (by rule name or tag) and dry-run unless `dryRun: false`:
 *   kill       SIGKILL the process of a syscall event (proc.pid)
 *   isolate    label the pod `kubeward.io/quarantine=true` and a deny-all NetworkPolicy selecting it,
 *              written to `outDir` and, when not dry-run, applied with @kubernetes/client-node
 *   delete-pod delete the pod
 *   label      add `labels` to the pod
 * Every response (done, dry-run or failed) is itself emitted as an alert (source `kubeward-response`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AuditEvent } from "./fields/k8saudit.js";
import type { SyscallEvent } from "./fields/syscall.js";
import type { Alert } from "./output.js";
import type { QueuedEvent } from "./pipeline.js";

export type ResponseAction = "kill" | "isolate" | "delete-pod" | "label";
export const RESPONSE_ACTIONS: ResponseAction[] = ["kill", "isolate", "delete-pod", "label"];

export interface ResponseConfig {
  /** actions per rule name */
  rules?: Record<string, ResponseAction[]>;
  /** actions per rule tag */
  tags?: Record<string, ResponseAction[]>;
  /** default true: only describe what would be done */
  dryRun?: boolean;
  /** where isolate writes its NetworkPolicy (default: current directory) */
  outDir?: string;
  labels?: Record<string, string>;
  /** injected for tests; defaults to process.kill and a client-node cluster client */
  kill?: (pid: number) => void;
  cluster?: ClusterClient;
}

export interface ClusterClient {
  labelPod(ns: string, name: string, labels: Record<string, string>): Promise<void>;
  deletePod(ns: string, name: string): Promise<void>;
  applyNetworkPolicy(policy: Record<string, unknown>): Promise<void>;
}

export function denyAllPolicy(ns: string, pod: string): Record<string, unknown> {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `kubeward-isolate-${pod}`.slice(0, 63),
      namespace: ns,
      labels: { "app.kubernetes.io/managed-by": "kubeward" },
    },
    spec: {
      podSelector: { matchLabels: { "kubeward.io/quarantine": "true" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [],
    },
  };
}

async function defaultCluster(): Promise<ClusterClient> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
  return {
    async labelPod(namespace, name, labels) {
      await core.patchNamespacedPod({ name, namespace, body: { metadata: { labels } } }, merge);
    },
    async deletePod(namespace, name) {
      await core.deleteNamespacedPod({ name, namespace });
    },
    async applyNetworkPolicy(policy) {
      const namespace = (policy.metadata as { namespace: string }).namespace;
      await net.createNamespacedNetworkPolicy({ namespace, body: policy as never });
    },
  };
}

function podOf(e: QueuedEvent): { ns: string; name: string } | undefined {
  if (e.source === "syscall") {
    const k = (e.evt as SyscallEvent).k8s;
    return k?.podName && k.ns ? { ns: k.ns, name: k.podName } : undefined;
  }
  const raw = (e.evt as AuditEvent).raw;
  const ref = raw.objectRef as { resource?: string; name?: string; namespace?: string } | undefined;
  if (ref?.resource === "pods" && ref.namespace) {
    const name =
      ref.name ?? (raw.responseObject as { metadata?: { name?: string } } | undefined)?.metadata?.name;
    return name ? { ns: ref.namespace, name } : undefined;
  }
  return undefined;
}

export class ResponseRunner {
  private readonly pending = new Set<Promise<void>>();
  private cluster?: Promise<ClusterClient>;
  constructor(
    private readonly cfg: ResponseConfig,
    private readonly emit: (a: Alert) => void,
    private readonly log: (s: string) => void,
  ) {}

  actionsFor(a: Alert): ResponseAction[] {
    const out = new Set<ResponseAction>(this.cfg.rules?.[a.rule] ?? []);
    for (const t of a.tags) for (const x of this.cfg.tags?.[t] ?? []) out.add(x);
    return [...out];
  }

  handle(a: Alert, e: QueuedEvent): void {
    for (const action of this.actionsFor(a)) {
      const p = this.run(action, a, e).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private record(
    a: Alert,
    action: ResponseAction,
    status: "done" | "dry-run" | "failed" | "skipped",
    detail: string,
    target: Record<string, unknown>,
  ): void {
    this.emit({
      time: a.time,
      rule: `kubeward response: ${action}`,
      priority: status === "failed" ? "Error" : "Notice",
      output: `${a.output.slice(0, a.output.indexOf(": ") + 2)}Notice response ${action} ${status} for rule '${a.rule}': ${detail}`,
      output_fields: {
        "response.action": action,
        "response.status": status,
        "response.rule": a.rule,
        ...target,
      },
      source: "kubeward-response",
      tags: ["response", ...a.tags],
      hostname: a.hostname,
    });
  }

  private client(): Promise<ClusterClient> {
    if (this.cfg.cluster) return Promise.resolve(this.cfg.cluster);
    this.cluster ??= defaultCluster();
    return this.cluster;
  }

  private async run(action: ResponseAction, a: Alert, e: QueuedEvent): Promise<void> {
    const dry = this.cfg.dryRun !== false;
    try {
      if (action === "kill") {
        if (e.source !== "syscall") return this.record(a, action, "skipped", "not a process event", {});
        const pid = (e.evt as SyscallEvent).proc.pid;
        if (!dry) (this.cfg.kill ?? ((p: number) => process.kill(p, "SIGKILL")))(pid);
        return this.record(a, action, dry ? "dry-run" : "done", `SIGKILL pid ${pid}`, { "proc.pid": pid });
      }
      const pod = podOf(e);
      if (!pod) return this.record(a, action, "skipped", "the event names no pod", {});
      const target = { "k8s.ns.name": pod.ns, "k8s.pod.name": pod.name };
      if (action === "isolate") {
        const policy = denyAllPolicy(pod.ns, pod.name);
        const dir = this.cfg.outDir ?? ".";
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${(policy.metadata as { name: string }).name}.yaml`);
        writeFileSync(file, stringify(policy));
        if (!dry) {
          const c = await this.client();
          await c.labelPod(pod.ns, pod.name, { "kubeward.io/quarantine": "true" });
          await c.applyNetworkPolicy(policy);
        }
        return this.record(a, action, dry ? "dry-run" : "done", `deny-all NetworkPolicy written to ${file}`, {
          ...target,
          "response.file": file,
        });
      }
      if (action === "delete-pod") {
        if (!dry) await (await this.client()).deletePod(pod.ns, pod.name);
        return this.record(a, action, dry ? "dry-run" : "done", `delete pod ${pod.ns}/${pod.name}`, target);
      }
      const labels = this.cfg.labels ?? { "kubeward.io/alert": "true" };
      if (!dry) await (await this.client()).labelPod(pod.ns, pod.name, labels);
      return this.record(
        a,
        action,
        dry ? "dry-run" : "done",
        `label pod ${pod.ns}/${pod.name} ${JSON.stringify(labels)}`,
        target,
      );
    } catch (err) {
      this.log(`response ${action} for rule '${a.rule}' failed: ${(err as Error).message}`);
      this.record(a, action, "failed", (err as Error).message, {});
    }
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
