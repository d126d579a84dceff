// Loader benchmark: writes 10,000 realistic objects (workloads, services, RBAC, config)
// as multi-document YAML and JSON files into a temp dir, loads them, and reports
// throughput and peak RSS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadManifests } from "../src/core/loader/index.js";

const OBJECTS = 10_000;
const PER_FILE = 25;

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 40}
  labels:
    app: web-${i}
    tier: frontend
  annotations:
    kubeward.io/owner: "team-${i % 40}"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web-${i}
  template:
    metadata:
      labels:
        app: web-${i}
    spec:
      serviceAccountName: web-${i}
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: registry.example.com/shop/web:1.${i % 30}.0
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-${i}
                  key: password
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: ${i % 7 === 0 ? "true" : "false"}
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          volumeMounts:
            - name: cache
              mountPath: /cache
        - name: sidecar
          image: envoyproxy/envoy:v1.${i % 10}.2
          args: ["--config-path", "/etc/envoy/envoy.yaml"]
      volumes:
        - name: cache
          emptyDir: {}
`;
}

function service(i: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: web-${i}
  namespace: team-${i % 40}
spec:
  type: ClusterIP
  selector:
    app: web-${i}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

function role(i: number): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader-${i}
  namespace: team-${i % 40}
rules:
  - apiGroups: [""]
    resources: ["pods", "configmaps"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get"]
`;
}

function binding(i: number): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader-${i}
  namespace: team-${i % 40}
subjects:
  - kind: ServiceAccount
    name: web-${i}
    namespace: team-${i % 40}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader-${i}
`;
}

function configMap(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-${i}
  namespace: team-${i % 40}
data:
  app.properties: |
    feature.flag=${i % 2 === 0}
    cache.size=${i * 10}
`;
}

const MAKERS = [deployment, service, role, binding, configMap];

/** Writes `count` objects into `dir`: 9 files in 10 are YAML streams, 1 in 10 is a JSON List. */
export function writeCorpus(dir: string, count = OBJECTS): void {
  let fileNo = 0;
  for (let start = 0; start < count; start += PER_FILE) {
    const n = Math.min(PER_FILE, count - start);
    const docs: string[] = [];
    for (let k = 0; k < n; k++) docs.push(MAKERS[(start + k) % MAKERS.length](start + k));
    writeFileSync(join(dir, `app-${fileNo}.yaml`), docs.join("---\n"));
    fileNo++;
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), "kw-bench-loader-"));
  try {
    writeCorpus(dir);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await loadManifests([dir]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // Touch one field line per workload, as checks do for findings.
    const t1 = performance.now();
    let lines = 0;
    for (const o of result.objects) {
      if (
        o.kind === "Deployment" &&
        o.lineOf(["spec", "template", "spec", "containers", 0, "image"]) !== undefined
      )
        lines++;
    }
    const lineMs = performance.now() - t1;
    return {
      objects: result.objects.length,
      errors: result.errors.length,
      loadMs: Math.round(ms),
      objectsPerSecond: Math.round(result.objects.length / (ms / 1000)),
      // CPU time is steadier than wall time on a busy machine.
      loadCpuMs: Math.round(cpuMs),
      objectsPerCpuSecond: Math.round(result.objects.length / (cpuMs / 1000)),
      lineLookups: lines,
      lineLookupMs: Math.round(lineMs),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
