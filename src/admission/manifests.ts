// `kubeward admission manifests`: everything needed to run the admission controller safely. The
// webhooks never select kube-system, kube-node-lease or kubeward's own namespace (neither their pods
// nor, for Namespace requests, those Namespace objects), so the controller can never block its own
// recovery; the Deployment passes the restricted Pod Security level. Like upstream's webhook, the
// validating webhook also sees Namespace CREATE/UPDATE (label validation, the dry run of existing
// pods), and the server runs with --kube under a ClusterRole that can read namespaces and list pods.
import { stringify } from "yaml";
import { generateTls, serviceDnsNames, type TlsMaterial } from "./tls.js";

export interface ManifestOptions {
  namespace?: string;
  image?: string;
  replicas?: number;
  /** failurePolicy of the validating webhook (default Fail). */
  validateFailurePolicy?: "Fail" | "Ignore";
  /** failurePolicy of the mutating webhook (default Ignore). */
  mutateFailurePolicy?: "Fail" | "Ignore";
  /** Also generate the MutatingWebhookConfiguration. */
  mutate?: boolean;
  /** Use cert-manager (an Issuer, a Certificate and CA injection) instead of generated TLS material. */
  certManager?: boolean;
  /** AdmissionConfig YAML to ship in the ConfigMap (default: warn-only Pod Security). */
  configYaml?: string;
  /** Files the config names (policies, params, keys), shipped beside it in the ConfigMap. */
  configFiles?: Record<string, string>;
  /** TLS material to use; generated with openssl when absent (and certManager is off). */
  tls?: TlsMaterial;
}

export const NAME = "kubeward-admission";
export const ALWAYS_EXCLUDED = ["kube-system", "kube-node-lease"];

export const DEFAULT_CONFIG = `apiVersion: kubeward.io/v1alpha1
kind: AdmissionConfig
# Roll out in warn mode first: nothing is denied, kubectl shows warnings.
podSecurity:
  defaults: { enforce: privileged, enforce-version: latest, warn: restricted, warn-version: latest, audit: restricted, audit-version: latest }
  exemptions: { namespaces: [], usernames: [], runtimeClasses: [] }
`;

/**
 * Namespace CREATE/UPDATE, for Pod Security's label checks and dry run. Namespaces are cluster-scoped;
 * the webhook's namespaceSelector is then matched against the Namespace's own labels.
 */
const NAMESPACE_RULE = {
  apiGroups: [""],
  apiVersions: ["v1"],
  operations: ["CREATE", "UPDATE"],
  resources: ["namespaces"],
  scope: "Cluster",
};

/**
 * What `admission serve --kube` reads: a Namespace's labels (get; list and watch as upstream's
 * webhook grants, for a namespace cache) and a namespace's pods for the dry run (list only).
 */
export const CLUSTER_ROLE_RULES = [
  { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
];

const WORKLOAD_RULES = [
  {
    apiGroups: [""],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"],
    scope: "Namespaced",
  },
  {
    apiGroups: ["apps"],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
    scope: "Namespaced",
  },
  {
    apiGroups: ["batch"],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["jobs", "cronjobs"],
    scope: "Namespaced",
  },
];

/** The namespaceSelector both webhooks use: everything but the system namespaces and kubeward's own. */
export function webhookNamespaceSelector(namespace: string): Record<string, unknown> {
  return {
    matchExpressions: [
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: [...new Set([...ALWAYS_EXCLUDED, namespace])],
      },
    ],
  };
}

export function admissionManifests(opts: ManifestOptions = {}): Record<string, unknown>[] {
  const ns = opts.namespace ?? "kubeward";
  const image = opts.image ?? "ghcr.io/kubeward/kubeward:0.1.0";
  const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "kubeward" };
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: ns,
    labels,
    ...extra,
  });
  const tls = opts.certManager ? undefined : (opts.tls ?? generateTls(serviceDnsNames(NAME, ns)));
  const caBundle = tls ? Buffer.from(tls.caCert).toString("base64") : undefined;
  const injectCa = opts.certManager
    ? { annotations: { "cert-manager.io/inject-ca-from": `${ns}/${NAME}` } }
    : {};
  const out: Record<string, unknown>[] = [];

  out.push({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns,
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
      },
    },
  });
  out.push({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(NAME),
    automountServiceAccountToken: true,
  });
  out.push({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: NAME, labels },
    rules: CLUSTER_ROLE_RULES,
  });
  out.push({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: NAME, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: NAME },
    subjects: [{ kind: "ServiceAccount", name: NAME, namespace: ns }],
  });
  out.push({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-config`),
    data: { ...(opts.configFiles ?? {}), "config.yaml": opts.configYaml ?? DEFAULT_CONFIG },
  });
  if (tls) {
    out.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(`${NAME}-tls`),
      type: "kubernetes.io/tls",
      data: {
        "tls.crt": Buffer.from(tls.cert).toString("base64"),
        "tls.key": Buffer.from(tls.key).toString("base64"),
        "ca.crt": caBundle,
      },
    });
  } else {
    out.push({
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: meta(`${NAME}-selfsigned`),
      spec: { selfSigned: {} },
    });
    out.push({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: meta(NAME),
      spec: {
        secretName: `${NAME}-tls`,
        dnsNames: serviceDnsNames(NAME, ns),
        issuerRef: { name: `${NAME}-selfsigned`, kind: "Issuer" },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    });
  }
  const podLabels = { ...labels };
  out.push({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(NAME),
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: podLabels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: NAME,
          terminationGracePeriodSeconds: 30,
          automountServiceAccountToken: true,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: podLabels },
                  },
                },
              ],
            },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: podLabels },
            },
          ],
          containers: [
            {
              name: "admission",
              image,
              imagePullPolicy: "IfNotPresent",
              args: [
                "admission",
                "serve",
                "--config",
                "/etc/kubeward/config/config.yaml",
                "--tls-cert",
                "/etc/kubeward/tls/tls.crt",
                "--tls-key",
                "/etc/kubeward/tls/tls.key",
                "--port",
                "8443",
                "--kube",
              ],
              ports: [{ name: "https", containerPort: 8443, protocol: "TCP" }],
              readinessProbe: {
                httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" },
                // leaves the Service within ~2 s of SIGTERM; serve keeps answering for 5 s meanwhile
                periodSeconds: 2,
                failureThreshold: 1,
              },
              livenessProbe: {
                httpGet: { path: "/healthz", port: "https", scheme: "HTTPS" },
                periodSeconds: 10,
                failureThreshold: 3,
              },
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { cpu: "1", memory: "256Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [
                { name: "config", mountPath: "/etc/kubeward/config", readOnly: true },
                { name: "tls", mountPath: "/etc/kubeward/tls", readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: `${NAME}-config` } },
            { name: "tls", secret: { secretName: `${NAME}-tls` } },
          ],
        },
      },
    },
  });
  out.push({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(NAME),
    spec: { minAvailable: 1, selector: { matchLabels: podLabels } },
  });
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(NAME),
    spec: {
      selector: podLabels,
      ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }],
    },
  });
  const clientConfig = (path: string) => ({
    service: { name: NAME, namespace: ns, path, port: 443 },
    ...(caBundle ? { caBundle } : {}),
  });
  const common = {
    admissionReviewVersions: ["v1", "v1beta1"],
    sideEffects: "None",
    timeoutSeconds: 5,
    matchPolicy: "Equivalent",
    namespaceSelector: webhookNamespaceSelector(ns),
    rules: WORKLOAD_RULES,
  };
  out.push({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: NAME, labels, ...injectCa },
    webhooks: [
      {
        name: "validate.admission.kubeward.io",
        clientConfig: clientConfig("/validate"),
        failurePolicy: opts.validateFailurePolicy ?? "Fail",
        ...common,
        rules: [NAMESPACE_RULE, ...WORKLOAD_RULES],
      },
    ],
  });
  if (opts.mutate) {
    out.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: NAME, labels, ...injectCa },
      webhooks: [
        {
          name: "mutate.admission.kubeward.io",
          clientConfig: clientConfig("/mutate"),
          failurePolicy: opts.mutateFailurePolicy ?? "Ignore",
          reinvocationPolicy: "Never",
          ...common,
          rules: WORKLOAD_RULES.map((r) => ({
            ...r,
            operations: ["CREATE"],
            resources: r.resources.filter((x) => x !== "pods/ephemeralcontainers"),
          })),
        },
      ],
    });
  }
  return out;
}

export function manifestsYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}
