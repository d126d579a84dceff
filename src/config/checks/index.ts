import type { Check } from "../../core/check.js";
import { netEgressIsolation } from "./net-egress-isolation.js";
import { netExposedService } from "./net-exposed-service.js";
import { netIngressIsolation } from "./net-ingress-isolation.js";
import { netIngressTls } from "./net-ingress-tls.js";
import { netInvalidPolicySelector } from "./net-invalid-policy-selector.js";
import { netIstioMtls } from "./net-istio-mtls.js";
import { rbacAggregatedClusterRole } from "./rbac-aggregated-clusterrole.js";
import { rbacAnonymousBinding } from "./rbac-anonymous-binding.js";
import { rbacClusterAdminBinding } from "./rbac-cluster-admin-binding.js";
import { rbacCreatePods } from "./rbac-create-pods.js";
import { rbacDefaultSaBinding } from "./rbac-default-sa-binding.js";
import { rbacEscalateBindImpersonate } from "./rbac-escalate-bind-impersonate.js";
import { rbacNodesProxy } from "./rbac-nodes-proxy.js";
import { rbacPodExec } from "./rbac-pod-exec.js";
import { rbacSaTokenCreate } from "./rbac-sa-token-create.js";
import { rbacSecretsRead } from "./rbac-secrets-read.js";
import { rbacWebhookConfig } from "./rbac-webhook-config.js";
import { rbacWildcard } from "./rbac-wildcard.js";
import { dangerousCapabilities } from "./wl-dangerous-capabilities.js";
import { defaultNamespace } from "./wl-default-namespace.js";
import { envSecrets } from "./wl-env-secrets.js";
import { imageDigest } from "./wl-image-digest.js";
import { imageLatest } from "./wl-image-latest.js";
import { imagePullPolicy } from "./wl-image-pull-policy.js";
import { livenessProbe } from "./wl-liveness-probe.js";
import { readinessProbe } from "./wl-readiness-probe.js";
import { readOnlyRootFs } from "./wl-readonly-rootfs.js";
import { resourceLimits } from "./wl-resource-limits.js";
import { resourceRequests } from "./wl-resource-requests.js";
import { runAsRoot } from "./wl-run-as-root.js";
import { saTokenAutomount } from "./wl-sa-token-automount.js";
import { sensitiveHostPath } from "./wl-sensitive-hostpath.js";
import { shareProcessNamespace } from "./wl-share-process-namespace.js";

/** Workload hardening checks beyond Pod Security (KW-WL-0xx). */
export const WORKLOAD_CHECKS: readonly Check[] = [
  imageLatest,
  imageDigest,
  imagePullPolicy,
  resourceLimits,
  resourceRequests,
  readOnlyRootFs,
  runAsRoot,
  saTokenAutomount,
  envSecrets,
  livenessProbe,
  readinessProbe,
  sensitiveHostPath,
  dangerousCapabilities,
  defaultNamespace,
  shareProcessNamespace,
];

/** RBAC checks over Roles, ClusterRoles and their bindings (KW-RBAC-0xx). */
export const RBAC_CHECKS: readonly Check[] = [
  rbacWildcard,
  rbacSecretsRead,
  rbacCreatePods,
  rbacPodExec,
  rbacEscalateBindImpersonate,
  rbacNodesProxy,
  rbacSaTokenCreate,
  rbacWebhookConfig,
  rbacClusterAdminBinding,
  rbacAnonymousBinding,
  rbacDefaultSaBinding,
  rbacAggregatedClusterRole,
];

/** Network exposure and isolation checks (KW-NET-0xx). */
export const NETWORK_CHECKS: readonly Check[] = [
  netIngressIsolation,
  netEgressIsolation,
  netExposedService,
  netIngressTls,
  netIstioMtls,
  netInvalidPolicySelector,
];

/** Every manifest check of this folder, registered explicitly (the Pod Security checks live in ../pss). */
export const CONFIG_CHECKS: Check[] = [...WORKLOAD_CHECKS, ...RBAC_CHECKS, ...NETWORK_CHECKS];
