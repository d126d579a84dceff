// Builders for node root file systems in temp dirs: real files, real modes, real owners.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export class NodeRoot {
  readonly dir: string;
  constructor(prefix = "kw-node-") {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }
  /** Writes a file under the root with the given mode and owner; parent dirs are root:root 755. */
  put(path: string, content: string, mode = 0o644, uid = 0, gid = 0): this {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, content);
    chmodSync(full, mode);
    chownSync(full, uid, gid);
    return this;
  }
  dirAt(path: string, mode = 0o755, uid = 0, gid = 0): this {
    const full = join(this.dir, path);
    mkdirSync(full, { recursive: true });
    chmodSync(full, mode);
    chownSync(full, uid, gid);
    return this;
  }
  /** A fake /proc/<pid> with cmdline (NUL-separated argv) and status (Uid line). */
  proc(pid: number, argv: readonly string[], uid = 0, environ: Record<string, string> = {}): this {
    this.put(`/proc/${pid}/cmdline`, `${argv.join("\0")}\0`, 0o444);
    this.put(
      `/proc/${pid}/status`,
      `Name:\t${argv[0].split("/").pop()}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t0\t0\t0\t0\n`,
      0o444,
    );
    this.put(
      `/proc/${pid}/environ`,
      Object.entries(environ)
        .map(([k, v]) => `${k}=${v}\0`)
        .join(""),
      0o400,
    );
    return this;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const ETCD_UID = 998;
export const PASSWD = `root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\netcd:x:${ETCD_UID}:${ETCD_UID}:etcd user:/var/lib/etcd:/usr/sbin/nologin\n`;
export const GROUP = `root:x:0:\ndaemon:x:1:\netcd:x:${ETCD_UID}:\n`;

export const APISERVER_ARGS = [
  "--advertise-address=192.168.56.10",
  "--allow-privileged=true",
  "--authorization-mode=Node,RBAC",
  "--client-ca-file=/etc/kubernetes/pki/ca.crt",
  "--enable-admission-plugins=NodeRestriction",
  "--enable-bootstrap-token-auth=true",
  "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
  "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
  "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
  "--etcd-servers=https://127.0.0.1:2379",
  "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
  "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
  "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
  "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
  "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
  "--requestheader-allowed-names=front-proxy-client",
  "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
  "--requestheader-extra-headers-prefix=X-Remote-Extra-",
  "--requestheader-group-headers=X-Remote-Group",
  "--requestheader-username-headers=X-Remote-User",
  "--secure-port=6443",
  "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
  "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
  "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
  "--service-cluster-ip-range=10.96.0.0/12",
  "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
  "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
];
export const CONTROLLER_MANAGER_ARGS = [
  "--allocate-node-cidrs=true",
  "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--bind-address=127.0.0.1",
  "--client-ca-file=/etc/kubernetes/pki/ca.crt",
  "--cluster-cidr=10.244.0.0/16",
  "--cluster-name=kubernetes",
  "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
  "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
  "--controllers=*,bootstrapsigner,tokencleaner",
  "--kubeconfig=/etc/kubernetes/controller-manager.conf",
  "--leader-elect=true",
  "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
  "--root-ca-file=/etc/kubernetes/pki/ca.crt",
  "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
  "--service-cluster-ip-range=10.96.0.0/12",
  "--use-service-account-credentials=true",
];
export const SCHEDULER_ARGS = [
  "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
  "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
  "--bind-address=127.0.0.1",
  "--kubeconfig=/etc/kubernetes/scheduler.conf",
  "--leader-elect=true",
];
export const ETCD_ARGS = [
  "--advertise-client-urls=https://192.168.56.10:2379",
  "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
  "--client-cert-auth=true",
  "--data-dir=/var/lib/etcd",
  "--experimental-initial-corrupt-check=true",
  "--initial-advertise-peer-urls=https://192.168.56.10:2380",
  "--initial-cluster=cp1=https://192.168.56.10:2380",
  "--key-file=/etc/kubernetes/pki/etcd/server.key",
  "--listen-client-urls=https://127.0.0.1:2379,https://192.168.56.10:2379",
  "--listen-metrics-urls=http://127.0.0.1:2381",
  "--listen-peer-urls=https://192.168.56.10:2380",
  "--name=cp1",
  "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
  "--peer-client-cert-auth=true",
  "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
  "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
  "--snapshot-count=10000",
  "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
];
export const KUBELET_ARGV = [
  "/usr/bin/kubelet",
  "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
  "--kubeconfig=/etc/kubernetes/kubelet.conf",
  "--config=/var/lib/kubelet/config.yaml",
  "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
  "--pod-infra-container-image=registry.k8s.io/pause:3.9",
];

/** A static pod manifest the way kubeadm writes it: everything in `command`. */
export function staticPod(
  name: string,
  image: string,
  command: readonly string[],
  args?: readonly string[],
  env?: Record<string, string>,
): string {
  const lines = [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    `  name: ${name}`,
    "  namespace: kube-system",
    "  labels:",
    `    component: ${name}`,
    "    tier: control-plane",
    "spec:",
    "  hostNetwork: true",
    "  priorityClassName: system-node-critical",
    "  containers:",
    `  - name: ${name}`,
    `    image: ${image}`,
    "    command:",
    ...command.map((c) => `    - ${JSON.stringify(c)}`),
  ];
  if (args) lines.push("    args:", ...args.map((a) => `    - ${JSON.stringify(a)}`));
  if (env)
    lines.push(
      "    env:",
      ...Object.entries(env).flatMap(([k, v]) => [`    - name: ${k}`, `      value: ${JSON.stringify(v)}`]),
    );
  return `${lines.join("\n")}\n`;
}

export const KUBEADM_KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

export const KUBEADM_DROPIN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n";

function common(r: NodeRoot, hostname: string): void {
  r.put("/etc/passwd", PASSWD, 0o644).put("/etc/group", GROUP, 0o644).put("/etc/hostname", `${hostname}\n`);
  r.dirAt("/etc/kubernetes", 0o755);
}

function pki(r: NodeRoot, crtMode: number): void {
  r.dirAt("/etc/kubernetes/pki", 0o755).dirAt("/etc/kubernetes/pki/etcd", 0o755);
  for (const n of [
    "ca",
    "apiserver",
    "apiserver-kubelet-client",
    "apiserver-etcd-client",
    "front-proxy-ca",
    "front-proxy-client",
  ]) {
    r.put(`/etc/kubernetes/pki/${n}.crt`, "-----BEGIN CERTIFICATE-----\n", crtMode).put(
      `/etc/kubernetes/pki/${n}.key`,
      "-----BEGIN PRIVATE KEY-----\n",
      0o600,
    );
  }
  r.put("/etc/kubernetes/pki/sa.pub", "-----BEGIN PUBLIC KEY-----\n", 0o600).put(
    "/etc/kubernetes/pki/sa.key",
    "-----BEGIN PRIVATE KEY-----\n",
    0o600,
  );
  for (const n of ["ca", "server", "peer", "healthcheck-client"]) {
    r.put(`/etc/kubernetes/pki/etcd/${n}.crt`, "-----BEGIN CERTIFICATE-----\n", crtMode).put(
      `/etc/kubernetes/pki/etcd/${n}.key`,
      "-----BEGIN PRIVATE KEY-----\n",
      0o600,
    );
  }
}

export const IMAGE_TAG = "v1.30.2";

/** kube-apiserver's static pod manifest as kubeadm writes it. */
export function apiserverManifest(): string {
  return staticPod("kube-apiserver", `registry.k8s.io/kube-apiserver:${IMAGE_TAG}`, [
    "kube-apiserver",
    ...APISERVER_ARGS,
  ]);
}

/** A kubeadm control-plane node as `kubeadm init` leaves it (Kubernetes 1.30, flannel CNI). */
export function kubeadmControlPlane(): NodeRoot {
  const r = new NodeRoot("kw-kubeadm-cp-");
  common(r, "cp1");
  pki(r, 0o644);
  const m = "/etc/kubernetes/manifests";
  r.dirAt(m, 0o700);
  r.put(`${m}/kube-apiserver.yaml`, apiserverManifest(), 0o600);
  r.put(
    `${m}/kube-controller-manager.yaml`,
    staticPod("kube-controller-manager", `registry.k8s.io/kube-controller-manager:${IMAGE_TAG}`, [
      "kube-controller-manager",
      ...CONTROLLER_MANAGER_ARGS,
    ]),
    0o600,
  );
  r.put(
    `${m}/kube-scheduler.yaml`,
    staticPod("kube-scheduler", `registry.k8s.io/kube-scheduler:${IMAGE_TAG}`, [
      "kube-scheduler",
      ...SCHEDULER_ARGS,
    ]),
    0o600,
  );
  r.put(`${m}/etcd.yaml`, staticPod("etcd", "registry.k8s.io/etcd:3.5.12-0", ["etcd", ...ETCD_ARGS]), 0o600);
  for (const f of [
    "admin.conf",
    "super-admin.conf",
    "controller-manager.conf",
    "scheduler.conf",
    "kubelet.conf",
  ])
    r.put(`/etc/kubernetes/${f}`, KUBECONFIG, 0o600);
  r.dirAt("/var/lib/etcd", 0o700).dirAt("/var/lib/etcd/member", 0o700);
  r.put("/var/lib/kubelet/config.yaml", KUBEADM_KUBELET_CONFIG, 0o644);
  r.put(
    "/var/lib/kubelet/kubeadm-flags.env",
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n',
    0o644,
  );
  r.put("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROPIN, 0o644);
  r.put(
    "/etc/cni/net.d/10-flannel.conflist",
    '{"name":"cbr0","cniVersion":"0.3.1","plugins":[{"type":"flannel"}]}\n',
    0o644,
  );
  r.proc(1, ["/sbin/init"]);
  r.proc(1200, ["kube-apiserver", ...APISERVER_ARGS]);
  r.proc(1201, ["kube-controller-manager", ...CONTROLLER_MANAGER_ARGS]);
  r.proc(1202, ["kube-scheduler", ...SCHEDULER_ARGS]);
  r.proc(1203, ["etcd", ...ETCD_ARGS]);
  r.proc(900, KUBELET_ARGV);
  r.proc(1500, [
    "/usr/local/bin/kube-proxy",
    "--config=/var/lib/kube-proxy/config.conf",
    "--hostname-override=cp1",
  ]);
  return r;
}

export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["pods/exec", "pods/portforward", "pods/proxy", "services/proxy"]
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete"]
    resources:
      - group: ""
        resources: ["pods"]
      - group: apps
        resources: ["deployments"]
  - level: Metadata
`;

export const ENCRYPTION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["secrets"]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==
      - identity: {}
`;

export const HARDENED_KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
readOnlyPort: 0
streamingConnectionIdleTimeout: 5m
makeIPTablesUtilChains: true
eventRecordQPS: 5
rotateCertificates: true
serverTLSBootstrap: true
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
tlsCipherSuites:
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
podPidsLimit: 4096
seccompDefault: true
protectKernelDefaults: true
featureGates:
  RotateKubeletServerCertificate: true
staticPodPath: /etc/kubernetes/manifests
`;

/**
 * A kubeadm control plane hardened to pass every automated check. The control plane is only
 * visible through its static pod manifests (no /proc entries), whose flags sit in `args`,
 * some as "--flag value" pairs; the kubelet runs with a config file.
 */
export function kubeadmHardened(): NodeRoot {
  const r = new NodeRoot("kw-kubeadm-hard-");
  common(r, "cp-hardened");
  pki(r, 0o600);
  const m = "/etc/kubernetes/manifests";
  r.dirAt(m, 0o700);
  const api = APISERVER_ARGS.filter((a) => !a.startsWith("--enable-admission-plugins"));
  r.put(
    `${m}/kube-apiserver.yaml`,
    staticPod(
      "kube-apiserver",
      `registry.k8s.io/kube-apiserver:${IMAGE_TAG}`,
      ["kube-apiserver"],
      [
        ...api,
        "--anonymous-auth=false",
        "--profiling=false",
        "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs",
        "--admission-control-config-file=/etc/kubernetes/admission.yaml",
        "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--audit-log-maxage=30",
        "--audit-log-maxbackup",
        "10",
        "--audit-log-maxsize=100",
        "--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml",
        "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "--service-account-extend-token-expiration=false",
        "--request-timeout=300s",
      ],
    ),
    0o600,
  );
  r.put(
    `${m}/kube-controller-manager.yaml`,
    staticPod(
      "kube-controller-manager",
      `registry.k8s.io/kube-controller-manager:${IMAGE_TAG}`,
      ["kube-controller-manager"],
      [...CONTROLLER_MANAGER_ARGS, "--profiling=false", "--terminated-pod-gc-threshold=10"],
    ),
    0o600,
  );
  r.put(
    `${m}/kube-scheduler.yaml`,
    staticPod("kube-scheduler", `registry.k8s.io/kube-scheduler:${IMAGE_TAG}`, [
      "kube-scheduler",
      ...SCHEDULER_ARGS,
      "--profiling=false",
    ]),
    0o600,
  );
  r.put(`${m}/etcd.yaml`, staticPod("etcd", "registry.k8s.io/etcd:3.5.12-0", ["etcd", ...ETCD_ARGS]), 0o600);
  for (const f of [
    "admin.conf",
    "super-admin.conf",
    "controller-manager.conf",
    "scheduler.conf",
    "kubelet.conf",
  ])
    r.put(`/etc/kubernetes/${f}`, KUBECONFIG, 0o600);
  r.put("/etc/kubernetes/audit-policy.yaml", AUDIT_POLICY, 0o600);
  r.put("/etc/kubernetes/enc/encryption.yaml", ENCRYPTION_CONFIG, 0o600);
  r.put(
    "/etc/kubernetes/admission.yaml",
    "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n",
    0o600,
  );
  r.dirAt("/var/lib/etcd", 0o700, ETCD_UID, ETCD_UID).dirAt(
    "/var/lib/etcd/member",
    0o700,
    ETCD_UID,
    ETCD_UID,
  );
  r.put("/var/lib/kubelet/config.yaml", HARDENED_KUBELET_CONFIG, 0o600);
  r.put(
    "/var/lib/kubelet/kubeadm-flags.env",
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock"\n',
    0o600,
  );
  r.put("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROPIN, 0o600);
  r.put(
    "/etc/cni/net.d/10-flannel.conflist",
    '{"name":"cbr0","cniVersion":"0.3.1","plugins":[{"type":"flannel"}]}\n',
    0o600,
  );
  r.proc(1, ["/sbin/init"]);
  r.proc(900, KUBELET_ARGV);
  r.proc(1500, [
    "/usr/local/bin/kube-proxy",
    "--config=/var/lib/kube-proxy/config.conf",
    "--hostname-override=cp-hardened",
  ]);
  return r;
}

/**
 * A kubeadm worker as `kubeadm join` leaves it, seen without host PIDs: no /proc, so the
 * kubelet's settings come from its systemd drop-in, kubeadm-flags.env and config file.
 */
export function kubeadmWorker(): NodeRoot {
  const r = new NodeRoot("kw-kubeadm-worker-");
  common(r, "worker1");
  r.dirAt("/etc/kubernetes/pki", 0o755).put(
    "/etc/kubernetes/pki/ca.crt",
    "-----BEGIN CERTIFICATE-----\n",
    0o644,
  );
  r.put("/etc/kubernetes/kubelet.conf", KUBECONFIG, 0o600);
  r.dirAt("/etc/kubernetes/manifests", 0o755);
  r.put("/var/lib/kubelet/config.yaml", KUBEADM_KUBELET_CONFIG, 0o644);
  r.put(
    "/var/lib/kubelet/kubeadm-flags.env",
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n',
    0o644,
  );
  r.put("/etc/default/kubelet", "KUBELET_EXTRA_ARGS=--node-ip=192.168.56.21 --read-only-port=10255\n", 0o644);
  r.put("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROPIN, 0o644);
  r.put(
    "/usr/bin/kubelet",
    `\x7fELF\x02\x01\x01${"\0".repeat(64)}build\t-ldflags="-X 'k8s.io/component-base/version.gitVersion=v1.31.4' -X 'k8s.io/component-base/version.gitMajor=1'"${"\0".repeat(32)}`,
    0o755,
  );
  return r;
}

export const K3S_CONFIG = `# /etc/rancher/k3s/config.yaml
write-kubeconfig-mode: "0600"
protect-kernel-defaults: true
secrets-encryption: true
kube-apiserver-arg:
  - "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log"
  - "audit-policy-file=/var/lib/rancher/k3s/server/audit.yaml"
  - "audit-log-maxage=30"
  - "audit-log-maxbackup=10"
  - "audit-log-maxsize=100"
kubelet-arg:
  - "streaming-connection-idle-timeout=5m"
`;

/** The kubelet drop-in newer k3s writes at start (its defaults, as k3s marshals them; mode 600). */
export const K3S_KUBELET_DEFAULTS = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 2m0s
    enabled: true
  x509:
    clientCAFile: /var/lib/rancher/k3s/agent/client-ca.crt
authorization:
  mode: Webhook
cgroupDriver: cgroupfs
clusterDomain: cluster.local
failSwapOn: false
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
streamingConnectionIdleTimeout: 4h0m0s
tlsCertFile: /var/lib/rancher/k3s/agent/serving-kubelet.crt
tlsPrivateKeyFile: /var/lib/rancher/k3s/agent/serving-kubelet.key
`;

/**
 * A single-node k3s server (SQLite datastore) with a CIS-minded config.yaml. `version` is the
 * k3s release in the binary; `kubeletDropins` adds the kubelet.conf.d directory newer k3s keeps.
 */
export function k3sServer(opts: { version?: string; kubeletDropins?: boolean } = {}): NodeRoot {
  const r = new NodeRoot("kw-k3s-");
  r.put("/etc/passwd", PASSWD).put("/etc/group", GROUP).put("/etc/hostname", "k3s-1\n");
  r.put("/etc/rancher/k3s/config.yaml", K3S_CONFIG, 0o600);
  r.put("/etc/rancher/k3s/k3s.yaml", KUBECONFIG, 0o600);
  r.put(
    "/etc/systemd/system/k3s.service",
    "[Service]\nType=notify\nExecStart=/usr/local/bin/k3s server\n",
    0o644,
  );
  const d = "/var/lib/rancher/k3s";
  for (const n of ["client-ca", "server-ca", "serving-kube-apiserver", "client-kube-apiserver"]) {
    r.put(`${d}/server/tls/${n}.crt`, "-----BEGIN CERTIFICATE-----\n", 0o644).put(
      `${d}/server/tls/${n}.key`,
      "-----BEGIN EC PRIVATE KEY-----\n",
      0o600,
    );
  }
  r.put(`${d}/server/tls/service.key`, "-----BEGIN RSA PRIVATE KEY-----\n", 0o600);
  r.put(`${d}/server/cred/admin.kubeconfig`, KUBECONFIG, 0o600);
  r.put(`${d}/server/cred/scheduler.kubeconfig`, KUBECONFIG, 0o600).put(
    `${d}/server/cred/controller.kubeconfig`,
    KUBECONFIG,
    0o600,
  );
  r.put(
    `${d}/server/cred/encryption-config.json`,
    '{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"eA=="}]}},{"identity":{}}]}]}',
    0o600,
  );
  r.put(`${d}/server/audit.yaml`, AUDIT_POLICY, 0o600);
  r.put(`${d}/server/db/state.db`, "SQLite format 3\0", 0o600);
  r.put(`${d}/agent/kubelet.kubeconfig`, KUBECONFIG, 0o600).put(
    `${d}/agent/kubeproxy.kubeconfig`,
    KUBECONFIG,
    0o600,
  );
  r.put(`${d}/agent/client-ca.crt`, "-----BEGIN CERTIFICATE-----\n", 0o644);
  r.put(`${d}/agent/etc/cni/net.d/10-flannel.conflist`, "{}", 0o600);
  if (opts.kubeletDropins)
    r.put(`${d}/agent/etc/kubelet.conf.d/00-k3s-defaults.conf`, K3S_KUBELET_DEFAULTS, 0o600);
  const version = opts.version ?? "v1.30.6+k3s1";
  r.put("/usr/local/bin/k3s", `\x7fELF${"\0".repeat(40)}${version}${"\0".repeat(16)}`, 0o755);
  r.proc(1, ["/sbin/init"]);
  // k3s rewrites its process title into one string.
  r.put("/proc/700/cmdline", `/usr/local/bin/k3s server${"\0".repeat(20)}`, 0o444);
  r.put("/proc/700/status", "Name:\tk3s-server\nUid:\t0\t0\t0\t0\n", 0o444);
  return r;
}

/** An RKE2 server: control plane as static pods under rke2's agent dir, kubelet started with flags only. */
export function rke2Server(): NodeRoot {
  const r = new NodeRoot("kw-rke2-");
  r.put("/etc/passwd", PASSWD).put("/etc/group", GROUP).put("/etc/hostname", "rke2-1\n");
  r.put("/etc/rancher/rke2/config.yaml", "profile: cis\n", 0o600);
  const m = "/var/lib/rancher/rke2/agent/pod-manifests";
  r.put(
    `${m}/kube-apiserver.yaml`,
    staticPod(
      "kube-apiserver",
      "index.docker.io/rancher/hardened-kubernetes:v1.30.6-rke2r1-build20241106",
      ["kube-apiserver"],
      ["--profiling=false", "--authorization-mode=Node,RBAC"],
    ),
    0o600,
  );
  r.put(
    `${m}/etcd.yaml`,
    staticPod(
      "etcd",
      "index.docker.io/rancher/hardened-etcd:v3.5.16-k3s1-build20241106",
      ["etcd"],
      ["--config-file=/var/lib/rancher/rke2/server/db/etcd/config"],
    ),
    0o644,
  );
  r.put("/var/lib/rancher/rke2/agent/kubelet.kubeconfig", KUBECONFIG, 0o600);
  r.put("/var/lib/rancher/rke2/server/cred/admin.kubeconfig", KUBECONFIG, 0o600);
  r.put("/var/lib/rancher/rke2/agent/client-ca.crt", "-----BEGIN CERTIFICATE-----\n", 0o644);
  r.put(
    "/usr/local/lib/systemd/system/rke2-server.service",
    "[Service]\nExecStart=/usr/local/bin/rke2 server\n",
    0o644,
  );
  r.proc(800, [
    "/var/lib/rancher/rke2/data/v1.30.6-rke2r1-0d3c3c3c3c3c/bin/kubelet",
    "--anonymous-auth=false",
    "--authorization-mode=Webhook",
    "--client-ca-file=/var/lib/rancher/rke2/agent/client-ca.crt",
    "--kubeconfig=/var/lib/rancher/rke2/agent/kubelet.kubeconfig",
    "--read-only-port=0",
  ]);
  return r;
}

/** MicroK8s: kubelite runs every component; flags live in args files, one per line. */
export function microk8sNode(): NodeRoot {
  const r = new NodeRoot("kw-microk8s-");
  r.put("/etc/passwd", PASSWD).put("/etc/group", GROUP);
  const a = "/var/snap/microk8s/current/args";
  r.put(
    `${a}/kube-apiserver`,
    "--cert-dir=$SNAP_DATA/certs\n--profiling=false\n--authorization-mode=RBAC,Node\n# comment\n--enable-admission-plugins='EventRateLimit,NodeRestriction'\n",
    0o660,
  );
  r.put(`${a}/kube-scheduler`, "--profiling=true\n", 0o660);
  r.put(
    `${a}/kubelet`,
    '--anonymous-auth=false\n--read-only-port "10255"\n--client-ca-file=$SNAP_DATA/certs/ca.crt\n',
    0o660,
  );
  r.proc(600, [
    "/snap/microk8s/7229/kubelite",
    "--scheduler-args-file=/var/snap/microk8s/7229/args/kube-scheduler",
  ]);
  return r;
}

/** An EKS worker: managed control plane, kubelet configured through a JSON config file. */
export function eksWorker(): NodeRoot {
  const r = new NodeRoot("kw-eks-");
  r.put("/etc/passwd", PASSWD).put("/etc/group", GROUP);
  r.dirAt("/etc/eks", 0o755);
  r.put(
    "/etc/kubernetes/kubelet/config.json",
    JSON.stringify({
      kind: "KubeletConfiguration",
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" } },
      authorization: { mode: "Webhook" },
      readOnlyPort: 0,
      protectKernelDefaults: true,
    }),
    0o644,
  );
  r.put("/var/lib/kubelet/kubeconfig", KUBECONFIG, 0o644);
  r.put("/etc/kubernetes/pki/ca.crt", "-----BEGIN CERTIFICATE-----\n", 0o644);
  r.put(
    "/etc/systemd/system/kubelet.service",
    "[Service]\nExecStart=/usr/bin/kubelet $KUBELET_ARGS\n",
    0o644,
  );
  r.proc(500, [
    "/usr/bin/kubelet",
    "--config",
    "/etc/kubernetes/kubelet/config.json",
    "--kubeconfig",
    "/var/lib/kubelet/kubeconfig",
    "--node-ip=10.0.1.23",
  ]);
  return r;
}
