// Generates a realistic manifest corpus for benchmarks: Deployments, Services, RBAC,
// NetworkPolicies, CronJobs and ConfigMaps, with a mix of secure and insecure settings.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function deployment(i: number, ns: string): string {
  const insecure = i % 3 === 0;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: ${ns}
  labels: { app: web-${i}, tier: frontend }
spec:
  replicas: 2
  selector:
    matchLabels: { app: web-${i} }
  template:
    metadata:
      labels: { app: web-${i}, tier: frontend }
    spec:
      serviceAccountName: web
      automountServiceAccountToken: ${insecure ? "true" : "false"}
      securityContext:
        runAsNonRoot: ${insecure ? "false" : "true"}
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: app
          image: registry.example.com/shop/web:${insecure ? "latest" : `1.4.2@sha256:${"a".repeat(64)}`}
          ports: [{ containerPort: 8080 }]
          env:
            - { name: LOG_LEVEL, value: info }
            - { name: DB_PASSWORD, ${insecure ? "value: hunter2" : "valueFrom: { secretKeyRef: { name: db, key: password } }"} }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            ${insecure ? "" : "limits: { cpu: 500m, memory: 256Mi }"}
          securityContext:
            allowPrivilegeEscalation: ${insecure ? "true" : "false"}
            privileged: ${insecure && i % 2 === 0 ? "true" : "false"}
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL]${insecure ? ", add: [NET_ADMIN]" : ""} }
          livenessProbe: { httpGet: { path: /healthz, port: 8080 } }
          readinessProbe: { httpGet: { path: /ready, port: 8080 } }
        - name: sidecar
          image: registry.example.com/shop/proxy:2.0.1
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { cpu: 100m, memory: 128Mi }
      volumes:
        - name: cache
          emptyDir: {}${insecure ? "\n        - name: sock\n          hostPath: { path: /var/run/docker.sock }" : ""}
`;
}

function service(i: number, ns: string): string {
  return `apiVersion: v1
kind: Service
metadata: { name: web-${i}, namespace: ${ns} }
spec:
  type: ${i % 4 === 0 ? "NodePort" : "ClusterIP"}
  selector: { app: web-${i} }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}

function role(i: number, ns: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: reader-${i}, namespace: ${ns} }
rules:
  - apiGroups: [""]
    resources: [pods, configmaps${i % 5 === 0 ? ", secrets" : ""}]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: reader-${i}, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader-${i} }
subjects:
  - { kind: ServiceAccount, name: ${i % 7 === 0 ? "default" : "web"}, namespace: ${ns} }
`;
}

function cronjob(i: number, ns: string): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata: { name: cleanup-${i}, namespace: ${ns} }
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: busybox:1.36
              command: [sh, -c, "echo cleaning"]
`;
}

function netpol(ns: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: ${ns} }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
}

/**
 * Writes about `total` objects into `dir` as files of roughly 100 objects each.
 * Returns the number of objects written.
 */
export function writeCorpus(dir: string, total: number): number {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  let file = 0;
  while (count < total) {
    const ns = `team-${file % 20}`;
    const docs: string[] = [];
    if (file % 2 === 0) {
      docs.push(netpol(ns));
      count++;
    }
    while (docs.length < 100 && count < total) {
      const i = count;
      switch (i % 5) {
        case 0:
        case 1:
          docs.push(deployment(i, ns));
          count++;
          break;
        case 2:
          docs.push(service(i, ns));
          count++;
          break;
        case 3:
          docs.push(role(i, ns));
          count += 2;
          break;
        default:
          docs.push(cronjob(i, ns));
          count++;
      }
    }
    writeFileSync(join(dir, `app-${String(file).padStart(4, "0")}.yaml`), docs.join("---\n"));
    file++;
  }
  return count;
}
