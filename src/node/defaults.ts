// What each component does when a setting is left unset. Sources: each component's
// `--help` output and, for the kubelet, the KubeletConfiguration v1beta1 defaulting
// (which differs from the flag defaults: a kubelet started with --config gets the
// config file's defaults).

export const COMPONENTS = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "etcd",
  "kubelet",
  "kube-proxy",
] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponent(s: string): s is ComponentName {
  return (COMPONENTS as readonly string[]).includes(s);
}

export const FLAG_DEFAULTS: Record<ComponentName, Readonly<Record<string, string>>> = {
  "kube-apiserver": {
    "--anonymous-auth": "true",
    "--authorization-mode": "AlwaysAllow",
    "--profiling": "true",
    "--service-account-lookup": "true",
    "--audit-log-maxage": "0",
    "--audit-log-maxbackup": "0",
    "--audit-log-maxsize": "0",
    "--service-account-extend-token-expiration": "true",
    "--request-timeout": "1m0s",
  },
  "kube-controller-manager": {
    "--profiling": "true",
    "--use-service-account-credentials": "false",
    "--bind-address": "0.0.0.0",
    "--terminated-pod-gc-threshold": "12500",
  },
  "kube-scheduler": { "--profiling": "true", "--bind-address": "0.0.0.0" },
  etcd: {
    "--client-cert-auth": "false",
    "--auto-tls": "false",
    "--peer-client-cert-auth": "false",
    "--peer-auto-tls": "false",
  },
  kubelet: {
    "--anonymous-auth": "true",
    "--authorization-mode": "AlwaysAllow",
    "--read-only-port": "10255",
    "--streaming-connection-idle-timeout": "4h0m0s",
    "--make-iptables-util-chains": "true",
    "--event-qps": "50",
    "--rotate-certificates": "false",
    "--protect-kernel-defaults": "false",
    "--seccomp-default": "false",
    "--pod-max-pids": "-1",
  },
  "kube-proxy": { "--metrics-bind-address": "127.0.0.1:10249" },
};

/** Defaults a kubelet applies to its config file (v1beta1), by config path. */
export const KUBELET_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  "authentication.anonymous.enabled": "false",
  "authentication.webhook.enabled": "true",
  "authorization.mode": "Webhook",
  readOnlyPort: "0",
  streamingConnectionIdleTimeout: "4h0m0s",
  makeIPTablesUtilChains: "true",
  eventRecordQPS: "50",
  rotateCertificates: "false",
  protectKernelDefaults: "false",
  seccompDefault: "false",
  podPidsLimit: "-1",
};

export const PROXY_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  metricsBindAddress: "127.0.0.1:10249",
};
