// Where each Kubernetes distribution keeps the files the benchmark audits.
// A path set to null means "this distribution has no such file" (the check is skipped
// as not applicable); a list means "the first one that exists".

export const PATH_KEYS = [
  "apiserverManifest",
  "controllerManagerManifest",
  "schedulerManifest",
  "etcdManifest",
  "manifestsDir",
  "adminConf",
  "superAdminConf",
  "schedulerKubeconfig",
  "controllerManagerKubeconfig",
  "pkiDir",
  "etcdDataDir",
  "kubeletService",
  "kubeletConfig",
  "kubeletKubeconfig",
  "kubeletCaFile",
  "proxyKubeconfig",
  "proxyConfig",
  "cniConfDir",
  "cniDataDir",
] as const;
export type PathKey = (typeof PATH_KEYS)[number];
export type PathTable = Record<PathKey, readonly string[] | null>;

export const DISTRIBUTIONS = ["kubeadm", "k3s", "rke2", "microk8s", "eks", "gke", "aks", "unknown"] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

const KUBEADM: PathTable = {
  apiserverManifest: [
    "/etc/kubernetes/manifests/kube-apiserver.yaml",
    "/etc/kubernetes/manifests/kube-apiserver.yml",
  ],
  controllerManagerManifest: [
    "/etc/kubernetes/manifests/kube-controller-manager.yaml",
    "/etc/kubernetes/manifests/kube-controller-manager.yml",
  ],
  schedulerManifest: [
    "/etc/kubernetes/manifests/kube-scheduler.yaml",
    "/etc/kubernetes/manifests/kube-scheduler.yml",
  ],
  etcdManifest: ["/etc/kubernetes/manifests/etcd.yaml", "/etc/kubernetes/manifests/etcd.yml"],
  manifestsDir: ["/etc/kubernetes/manifests"],
  adminConf: ["/etc/kubernetes/admin.conf"],
  superAdminConf: ["/etc/kubernetes/super-admin.conf"],
  schedulerKubeconfig: ["/etc/kubernetes/scheduler.conf"],
  controllerManagerKubeconfig: ["/etc/kubernetes/controller-manager.conf"],
  pkiDir: ["/etc/kubernetes/pki"],
  etcdDataDir: ["/var/lib/etcd"],
  kubeletService: [
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/etc/systemd/system/kubelet.service",
    "/usr/lib/systemd/system/kubelet.service",
    "/lib/systemd/system/kubelet.service",
  ],
  kubeletConfig: ["/var/lib/kubelet/config.yaml", "/var/lib/kubelet/config.yml"],
  kubeletKubeconfig: ["/etc/kubernetes/kubelet.conf"],
  kubeletCaFile: ["/etc/kubernetes/pki/ca.crt"],
  proxyKubeconfig: ["/var/lib/kube-proxy/kubeconfig.conf", "/etc/kubernetes/proxy.conf"],
  proxyConfig: ["/var/lib/kube-proxy/config.conf"],
  cniConfDir: ["/etc/cni/net.d"],
  cniDataDir: ["/var/lib/cni/networks"],
};

const K3S: PathTable = {
  apiserverManifest: null,
  controllerManagerManifest: null,
  schedulerManifest: null,
  etcdManifest: null,
  manifestsDir: null,
  // The admin credential k3s keeps for itself (kube-bench's k3s benchmark audits this one, not k3s.yaml).
  adminConf: ["/var/lib/rancher/k3s/server/cred/admin.kubeconfig"],
  superAdminConf: null,
  schedulerKubeconfig: ["/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig"],
  controllerManagerKubeconfig: ["/var/lib/rancher/k3s/server/cred/controller.kubeconfig"],
  pkiDir: ["/var/lib/rancher/k3s/server/tls"],
  etcdDataDir: ["/var/lib/rancher/k3s/server/db/etcd"],
  // The kubelet runs inside the k3s process: there is no kubelet unit of its own.
  kubeletService: null,
  kubeletConfig: null,
  kubeletKubeconfig: ["/var/lib/rancher/k3s/agent/kubelet.kubeconfig"],
  kubeletCaFile: ["/var/lib/rancher/k3s/agent/client-ca.crt"],
  proxyKubeconfig: ["/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig"],
  proxyConfig: null,
  cniConfDir: ["/var/lib/rancher/k3s/agent/etc/cni/net.d"],
  cniDataDir: ["/var/lib/cni/networks"],
};

const RKE2: PathTable = {
  apiserverManifest: ["/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml"],
  controllerManagerManifest: ["/var/lib/rancher/rke2/agent/pod-manifests/kube-controller-manager.yaml"],
  schedulerManifest: ["/var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml"],
  etcdManifest: ["/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml"],
  manifestsDir: ["/var/lib/rancher/rke2/agent/pod-manifests"],
  adminConf: ["/var/lib/rancher/rke2/server/cred/admin.kubeconfig"],
  superAdminConf: null,
  schedulerKubeconfig: ["/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig"],
  controllerManagerKubeconfig: ["/var/lib/rancher/rke2/server/cred/controller.kubeconfig"],
  pkiDir: ["/var/lib/rancher/rke2/server/tls"],
  etcdDataDir: ["/var/lib/rancher/rke2/server/db/etcd"],
  // rke2 starts the kubelet itself with flags: no kubelet unit file.
  kubeletService: null,
  kubeletConfig: null,
  kubeletKubeconfig: ["/var/lib/rancher/rke2/agent/kubelet.kubeconfig"],
  kubeletCaFile: ["/var/lib/rancher/rke2/agent/client-ca.crt"],
  proxyKubeconfig: ["/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig"],
  proxyConfig: null,
  cniConfDir: ["/etc/cni/net.d"],
  cniDataDir: ["/var/lib/cni/networks"],
};

const SNAP = "/var/snap/microk8s/current";
const MICROK8S: PathTable = {
  // MicroK8s keeps each component's flags in an args file: that file plays the pod spec's part.
  apiserverManifest: [`${SNAP}/args/kube-apiserver`],
  controllerManagerManifest: [`${SNAP}/args/kube-controller-manager`],
  schedulerManifest: [`${SNAP}/args/kube-scheduler`],
  etcdManifest: [`${SNAP}/args/etcd`],
  manifestsDir: null,
  adminConf: [`${SNAP}/credentials/client.config`],
  superAdminConf: null,
  schedulerKubeconfig: [`${SNAP}/credentials/scheduler.config`],
  controllerManagerKubeconfig: [`${SNAP}/credentials/controller.config`],
  pkiDir: [`${SNAP}/certs`],
  etcdDataDir: [`${SNAP}/var/kubernetes/backend`],
  kubeletService: ["/etc/systemd/system/snap.microk8s.daemon-kubelite.service"],
  kubeletConfig: null,
  kubeletKubeconfig: [`${SNAP}/credentials/kubelet.config`],
  kubeletCaFile: [`${SNAP}/certs/ca.crt`],
  proxyKubeconfig: [`${SNAP}/credentials/proxy.config`],
  proxyConfig: null,
  cniConfDir: [`${SNAP}/args/cni-network`],
  cniDataDir: ["/var/lib/cni/networks"],
};

/** Managed control planes: only the worker's files exist on the node. */
function managed(worker: Partial<PathTable>): PathTable {
  const none = Object.fromEntries(PATH_KEYS.map((k) => [k, null])) as PathTable;
  return {
    ...none,
    cniConfDir: ["/etc/cni/net.d"],
    cniDataDir: ["/var/lib/cni/networks"],
    proxyKubeconfig: ["/var/lib/kube-proxy/kubeconfig"],
    proxyConfig: ["/var/lib/kube-proxy/config"],
    ...worker,
  };
}

export const PATHS: Record<Distribution, PathTable> = {
  kubeadm: KUBEADM,
  unknown: KUBEADM,
  k3s: K3S,
  rke2: RKE2,
  microk8s: MICROK8S,
  eks: managed({
    kubeletService: [
      "/etc/systemd/system/kubelet.service",
      "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf",
    ],
    kubeletConfig: ["/etc/kubernetes/kubelet/config.json", "/etc/kubernetes/kubelet/kubelet-config.json"],
    kubeletKubeconfig: ["/var/lib/kubelet/kubeconfig"],
    kubeletCaFile: ["/etc/kubernetes/pki/ca.crt"],
  }),
  gke: managed({
    kubeletService: ["/etc/systemd/system/kubelet.service"],
    kubeletConfig: ["/home/kubernetes/kubelet-config.yaml"],
    kubeletKubeconfig: ["/var/lib/kubelet/kubeconfig"],
    kubeletCaFile: ["/etc/srv/kubernetes/pki/ca-certificates.crt"],
  }),
  aks: managed({
    kubeletService: ["/etc/systemd/system/kubelet.service"],
    kubeletConfig: ["/etc/default/kubeletconfig.json"],
    kubeletKubeconfig: ["/var/lib/kubelet/kubeconfig"],
    kubeletCaFile: ["/etc/kubernetes/certs/ca.crt"],
  }),
};

/** Distributions whose control plane runs off the node (the provider's). */
export const MANAGED: ReadonlySet<Distribution> = new Set(["eks", "gke", "aks"]);

/** Marker files and directories that identify a distribution, checked in this order. */
export const MARKERS: ReadonlyArray<[Distribution, string]> = [
  ["k3s", "/etc/rancher/k3s"],
  ["k3s", "/var/lib/rancher/k3s"],
  ["rke2", "/etc/rancher/rke2"],
  ["rke2", "/var/lib/rancher/rke2"],
  ["microk8s", "/var/snap/microk8s"],
  ["eks", "/etc/eks"],
  ["eks", "/etc/kubernetes/kubelet/kubelet-config.json"],
  ["gke", "/home/kubernetes/kubelet-config.yaml"],
  ["aks", "/etc/kubernetes/azure.json"],
  ["aks", "/etc/default/kubeletconfig.json"],
  ["kubeadm", "/etc/kubernetes/manifests"],
  ["kubeadm", "/etc/kubernetes/kubelet.conf"],
  ["kubeadm", "/var/lib/kubelet/kubeadm-flags.env"],
];

/**
 * Checks a distribution's own benchmark profile marks "not applicable", by check number (the same
 * in cis-1.9 to cis-1.12), as kube-bench's k3s and rke2 profiles do. Applied to shipped benchmarks only.
 */
export const NOT_APPLICABLE: Partial<Record<Distribution, Readonly<Record<string, string>>>> = {
  k3s: {
    "1.1.12": "k3s runs etcd inside its own process as root; there is no etcd user to own the data directory",
    "4.2.7":
      "k3s always passes --hostname-override so that the node name matches what cloud providers expect",
  },
  rke2: {
    "4.2.7":
      "rke2 always passes --hostname-override so that the node name matches what cloud providers expect",
  },
};

/** Where k3s's systemd units live (install script); their ExecStart carries `k3s server|agent` flags. */
export const K3S_UNITS: readonly string[] = [
  "/etc/systemd/system/k3s.service",
  "/etc/systemd/system/k3s-agent.service",
];

/** Cipher suites k3s gives the API server when `tls-cipher-suites` is not among the user's kube-apiserver-args. */
export const K3S_TLS_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
].join(",");

/**
 * Flags that k3s passes to the components it embeds when the user sets nothing (from k3s's
 * server and agent set-up code). `{data}` is the k3s data dir, `{node}` the node name.
 * User `kube-apiserver-arg` / `kubelet-arg` / ... entries are appended after these and win.
 */
export const K3S_DEFAULT_ARGS: Record<string, readonly string[]> = {
  "kube-apiserver": [
    "--anonymous-auth=false",
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    "--enable-bootstrap-token-auth=true",
    "--profiling=false",
    "--allow-privileged=true",
    "--client-ca-file={data}/server/tls/client-ca.crt",
    "--tls-cert-file={data}/server/tls/serving-kube-apiserver.crt",
    "--tls-private-key-file={data}/server/tls/serving-kube-apiserver.key",
    "--kubelet-client-certificate={data}/server/tls/client-kube-apiserver.crt",
    "--kubelet-client-key={data}/server/tls/client-kube-apiserver.key",
    "--kubelet-certificate-authority={data}/server/tls/server-ca.crt",
    "--service-account-key-file={data}/server/tls/service.key",
    "--service-account-signing-key-file={data}/server/tls/service.current.key",
    "--etcd-servers=unix://kine.sock",
    "--secure-port=6444",
  ],
  "kube-controller-manager": [
    "--profiling=false",
    "--bind-address=127.0.0.1",
    "--use-service-account-credentials=true",
    "--service-account-private-key-file={data}/server/tls/service.current.key",
    "--root-ca-file={data}/server/tls/server-ca.crt",
    "--kubeconfig={data}/server/cred/controller.kubeconfig",
  ],
  "kube-scheduler": [
    "--profiling=false",
    "--bind-address=127.0.0.1",
    "--kubeconfig={data}/server/cred/scheduler.kubeconfig",
  ],
  // Before k3s wrote a kubelet config drop-in, every kubelet setting was a flag.
  kubelet: [
    "--anonymous-auth=false",
    "--authorization-mode=Webhook",
    "--authentication-token-webhook=true",
    "--client-ca-file={data}/agent/client-ca.crt",
    "--read-only-port=0",
    "--tls-cert-file={data}/agent/serving-kubelet.crt",
    "--tls-private-key-file={data}/agent/serving-kubelet.key",
    "--kubeconfig={data}/agent/kubelet.kubeconfig",
    "--hostname-override={node}",
  ],
  "kube-proxy": ["--kubeconfig={data}/agent/kubeproxy.kubeconfig", "--hostname-override={node}"],
};

/**
 * Newer k3s writes the kubelet's defaults to `00-k3s-defaults.conf` in this drop-in directory
 * and passes only these flags; the settings then come from the files, which kubeward reads.
 */
export const K3S_KUBELET_CONFIG_DIR = "{data}/agent/etc/kubelet.conf.d";
export const K3S_KUBELET_DROPIN_ARGS: readonly string[] = [
  `--config-dir=${K3S_KUBELET_CONFIG_DIR}`,
  "--kubeconfig={data}/agent/kubelet.kubeconfig",
  "--hostname-override={node}",
];

/** Extra arguments k3s adds when embedded etcd is on (`cluster-init`). */
export const K3S_ETCD_APISERVER_ARGS: readonly string[] = [
  "--etcd-servers=https://127.0.0.1:2379",
  "--etcd-cafile={data}/server/tls/etcd/server-ca.crt",
  "--etcd-certfile={data}/server/tls/etcd/client.crt",
  "--etcd-keyfile={data}/server/tls/etcd/client.key",
];
