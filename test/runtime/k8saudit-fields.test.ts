/**
 * Every field Falco gets from the k8saudit and json plugins, walked from the transcribed field list in
 * data/k8saudit-plugin-fields.tsv: the table must define exactly those fields (type, list, argument),
 * and each field is extracted from real audit events (the Falco k8saudit traces, the audit2rbac log)
 * and from events built per the audit.k8s.io/v1 Event schema, with the values upstream's extract.go
 * gives. `NA` means "no value" (Falco prints <NA> and every comparison is false).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AuditEvent, K8S_AUDIT_FIELDS } from "../../src/runtime/fields/k8saudit.js";
import type { Extracted } from "../../src/runtime/fields/types.js";
import { decodeAuditLine } from "../../src/runtime/sources/k8saudit-parse.js";
import { K8SAUDIT, SHARED } from "./helpers.js";

interface SpecRow {
  name: string;
  type: string;
  list: boolean;
  arg: "none" | "index" | "required-key";
}

const SPEC: SpecRow[] = readFileSync(join(__dirname, "data/k8saudit-plugin-fields.tsv"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"))
  .map((l) => {
    const [name, type, list, arg] = l.split("\t") as [string, string, string, string];
    const args = { "-": "none", index: "index", "key,required": "required-key" } as const;
    const mode = args[arg as keyof typeof args];
    if (!mode || (list !== "list" && list !== "scalar")) throw new Error(`bad spec line: ${l}`);
    return { name, type, list: list === "list", arg: mode };
  });

/** The n-th event of a trace file, decoded the way the k8saudit file source decodes it. */
function trace(file: string, n = 0, dir = join(K8SAUDIT, "traces")): AuditEvent {
  return decoded(
    readFileSync(join(dir, file), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")[n]!,
  );
}

function decoded(line: string): AuditEvent {
  const d = decodeAuditLine(line);
  if (d.skipped || d.events.length !== 1) throw new Error(`${line.slice(0, 60)}: ${d.skipped?.[0]?.message}`);
  return d.events[0]!;
}

/** An event built here; the plugin only takes events with a stageTimestamp, so one is added if missing. */
function built(raw: Record<string, unknown>): AuditEvent {
  return decoded(JSON.stringify({ stageTimestamp: "2024-01-01T00:00:00Z", ...raw }));
}

const NA = undefined;

// ---- real events
const PRIV_2ND = trace("create_nginx_pod_privileged_2nd_container.json");
const HOSTNET = trace("create_nginx_pod_hostnetwork.json");
const SENSITIVE = trace("create_nginx_pod_sensitive_mount.json");
const SERVICE = trace("create_nginx_service_nodeport.json");
const ROLE = trace("create_cluster_role_wildcard_resources.json");
const CRB = trace("create_clusterrolebinding.json");
const CONFIGMAP = trace("create_configmap_sensitive_values.json");
const EXEC = trace("exec_pod.json");
// audit2rbac's 2017 log predates stageTimestamp: the plugin skips such events, so its `timestamp` is
// copied to stageTimestamp here to read the other fields of a real impersonated request
const IMPERSONATED = (() => {
  const line = readFileSync(join(SHARED, "conformance/audit-logs/audit2rbac/demo.log"), "utf8").split(
    "\n",
  )[0]!;
  const obj = JSON.parse(line) as Record<string, unknown>;
  return decoded(JSON.stringify({ ...obj, stageTimestamp: obj.timestamp }));
})();

// ---- events built per the audit.k8s.io/v1 Event schema
const VAP_FAILURE =
  '[{"message":"hostPath volumes are not allowed","policy":"no-hostpath","binding":"no-hostpath","expressionIndex":0,"validationActions":["Audit"]}]';
const PSA_VIOLATION =
  'would violate PodSecurity "restricted:latest": privileged (container "sidecar" must not set securityContext.privileged=true)';
const POD = built({
  kind: "Event",
  apiVersion: "audit.k8s.io/v1",
  level: "RequestResponse",
  auditID: "5d3f0c1e-7b7a-4f7e-9c55-2f1f4b0d9a10",
  stage: "ResponseComplete",
  requestURI: "/api/v1/namespaces/shop/pods?fieldManager=kubectl&dryRun=All&dryRun=None&note=a+b%21",
  verb: "create",
  user: { username: "jane", uid: "u-1", groups: ["dev", "system:authenticated"] },
  impersonatedUser: { username: "build-bot", groups: ["ci"] },
  sourceIPs: ["10.0.0.7", "172.16.0.1"],
  userAgent: "kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234",
  objectRef: { resource: "pods", namespace: "shop", name: "web-0", apiVersion: "v1" },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name: "web-0", namespace: "shop" },
    spec: {
      hostIPC: false,
      hostPID: true,
      hostNetwork: false,
      securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 5000] },
      containers: [
        {
          name: "web",
          image: "registry.example.com:5000/shop/web:1.2@sha256:ab12",
          command: ["/bin/sh", "-c"],
          args: ["nginx -g 'daemon off;'"],
          ports: [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 19090 }],
          securityContext: {
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsUser: 2000,
            capabilities: { add: ["NET_BIND_SERVICE"] },
          },
        },
        {
          name: "sidecar",
          image: "busybox",
          securityContext: {
            privileged: true,
            runAsGroup: 0,
            procMount: "Unmasked",
            capabilities: { add: ["SYS_ADMIN", "NET_ADMIN"] },
          },
        },
      ],
      initContainers: [
        {
          name: "init",
          image: "alpine:3.20",
          command: ["sh"],
          args: ["-c", "echo hi"],
          ports: [{ containerPort: 53, hostPort: 5353, protocol: "UDP" }],
          securityContext: {
            privileged: true,
            allowPrivilegeEscalation: true,
            readOnlyRootFilesystem: false,
            runAsUser: 0,
            runAsGroup: 10,
            procMount: "Default",
            capabilities: { add: ["CHOWN"] },
          },
        },
      ],
      ephemeralContainers: [
        {
          name: "debugger",
          image: "nicolaka/netshoot",
          targetContainerName: "web",
          command: ["sleep"],
          args: ["1d"],
          ports: [{ containerPort: 7000 }],
          securityContext: {
            privileged: false,
            allowPrivilegeEscalation: true,
            readOnlyRootFilesystem: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            procMount: "Default",
            capabilities: { add: ["NET_RAW"] },
          },
        },
      ],
      volumes: [
        { name: "logs", hostPath: { path: "/var/log", type: "Directory" } },
        { name: "drv", flexVolume: { driver: "example.com/lvm" } },
        { name: "tmp", emptyDir: {} },
      ],
    },
  },
  responseObject: { kind: "Pod", apiVersion: "v1", metadata: { name: "web-0", namespace: "shop" } },
  requestReceivedTimestamp: "2024-05-06T07:08:09.100000Z",
  stageTimestamp: "2024-05-06T07:08:09.123456789Z",
  annotations: {
    "authorization.k8s.io/decision": "allow",
    "authorization.k8s.io/reason": 'RBAC: allowed by RoleBinding "dev/shop"',
    "authentication.openshift.io/decision": "allow",
    "authentication.openshift.io/username": "jane@example.com",
    "validation.policy.admission.k8s.io/validation_failure": VAP_FAILURE,
    "pod-security.kubernetes.io/audit-violations": PSA_VIOLATION,
    cluster_name: "prod-eu-1",
  },
});

const ROLEBINDING = built({
  kind: "Event",
  apiVersion: "audit.k8s.io/v1",
  auditID: "rb-1",
  stage: "ResponseComplete",
  verb: "create",
  objectRef: {
    resource: "rolebindings",
    namespace: "ci",
    name: "builders",
    apiGroup: "rbac.authorization.k8s.io",
  },
  requestObject: {
    kind: "RoleBinding",
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" },
    subjects: [
      { kind: "ServiceAccount", name: "builder", namespace: "ci" },
      { kind: "ServiceAccount", name: "no-namespace" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" },
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
      { kind: "User" },
    ],
  },
  stageTimestamp: "2024-05-06T07:08:10Z",
});

/** Not schema-valid on purpose: the places upstream actually reads for these fields. */
const QUIRKS = built({
  kind: "Event",
  auditID: "q-1",
  requestObject: {
    rules: [{ verbs: ["get"], sourceIPs: ["10.1.1.1", "10.1.1.2"] }, { verbs: ["list"] }],
    spec: {
      runAsUser: 7,
      runAsGroup: 8,
      containers: [
        { name: "a", image: null, runAsUser: 9 },
        { image: "b:1", command: ["x", 1] },
      ],
      volumes: [
        { name: "a", emptyDir: {} },
        { name: "b", hostPath: { path: "/proc" } },
      ],
    },
  },
  stageTimestamp: "2024-05-06T07:08:11Z",
});

type Case = [event: AuditEvent, arg: string | undefined, want: string | string[] | undefined];
const J = JSON.stringify;
const SUBJECT = '{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"minikube"}';
const NON_RESOURCE = [
  "/api",
  "/api/*",
  "/apis",
  "/apis/*",
  "/healthz",
  "/openapi",
  "/openapi/*",
  "/swagger-2.0.0.pb-v1",
  "/swagger.json",
  "/swaggerapi",
  "/swaggerapi/*",
  "/version",
  "/version/",
];
const POD_URI = "/api/v1/namespaces/shop/pods?fieldManager=kubectl&dryRun=All&dryRun=None&note=a+b%21";

/** Per field: events, optional argument, and the expected value(s). */
const CASES: Record<string, Case[]> = {
  "ka.auditid": [
    [PRIV_2ND, NA, "f83ecd50-5bf4-4fe7-a419-dea22852ca49"],
    [POD, NA, "5d3f0c1e-7b7a-4f7e-9c55-2f1f4b0d9a10"],
  ],
  "ka.stage": [
    [EXEC, NA, "ResponseStarted"],
    [POD, NA, "ResponseComplete"],
  ],
  "ka.auth.decision": [[CRB, NA, "allow"]],
  "ka.auth.reason": [
    [CRB, NA, ""],
    [
      PRIV_2ND,
      NA,
      'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"',
    ],
    [ROLEBINDING, NA, NA],
  ],
  "ka.auth.openshift.decision": [
    [POD, NA, "allow"],
    [CRB, NA, NA],
  ],
  "ka.validations.admission.policy.failure": [
    [POD, NA, VAP_FAILURE],
    [CRB, NA, NA],
  ],
  "ka.security.pod.violations": [
    [POD, NA, PSA_VIOLATION],
    [PRIV_2ND, NA, NA],
  ],
  "ka.auth.openshift.username": [
    [POD, NA, "jane@example.com"],
    [CRB, NA, NA],
  ],
  "ka.user.name": [
    [PRIV_2ND, NA, "system:serviceaccount:kube-system:replicaset-controller"],
    [IMPERSONATED, NA, "system:admin"],
  ],
  "ka.user.groups": [
    [PRIV_2ND, NA, ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]],
    [ROLEBINDING, NA, NA],
  ],
  "ka.impuser.name": [
    [IMPERSONATED, NA, "bob"],
    [POD, NA, "build-bot"],
    [CRB, NA, NA],
  ],
  "ka.verb": [
    [IMPERSONATED, NA, "list"],
    [POD, NA, "create"],
  ],
  "ka.uri": [
    [
      EXEC,
      NA,
      "/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?command=bash&container=nginx1&container=nginx1&stdin=true&stdout=true&tty=true",
    ],
    [POD, NA, POD_URI],
  ],
  "ka.uri.param": [
    [EXEC, "command", "bash"],
    [EXEC, "container", "nginx1"],
    [EXEC, "missing", NA],
    [POD, "dryRun", "All"],
    [POD, "note", "a b!"],
    [CRB, "anything", NA],
  ],
  "ka.target.name": [
    [EXEC, NA, "nginx-deployment-7998647bdf-phvq7"],
    [PRIV_2ND, NA, NA],
  ],
  "ka.target.namespace": [
    [EXEC, NA, "default"],
    [CRB, NA, NA],
  ],
  "ka.target.resource": [
    [CRB, NA, "clusterrolebindings"],
    [IMPERSONATED, NA, "pods"],
  ],
  "ka.target.subresource": [
    [EXEC, NA, "exec"],
    [POD, NA, NA],
  ],
  "ka.target.pod.name": [
    [PRIV_2ND, NA, "nginx-deployment-544b59f8b8-ffkxm"],
    [POD, NA, "web-0"],
    [EXEC, NA, NA],
    [CRB, NA, NA],
  ],
  "ka.req.binding.subjects": [
    [CRB, NA, [SUBJECT]],
    [POD, NA, NA],
  ],
  "ka.req.binding.subjects.user_names": [
    [CRB, NA, ["minikube"]],
    [ROLEBINDING, NA, ["alice"]],
    [POD, NA, NA],
  ],
  "ka.req.binding.subjects.serviceaccount_names": [
    [ROLEBINDING, NA, ["builder", "no-namespace"]],
    [CRB, NA, NA],
  ],
  "ka.req.binding.subjects.serviceaccount_ns_names": [
    [ROLEBINDING, NA, ["ci:builder"]],
    [CRB, NA, NA],
  ],
  "ka.req.binding.subjects.group_names": [
    [ROLEBINDING, NA, ["system:masters"]],
    [CRB, NA, NA],
  ],
  "ka.req.binding.role": [
    [CRB, NA, "system:basic-user"],
    [ROLEBINDING, NA, "deployer"],
    [POD, NA, NA],
  ],
  "ka.req.binding.subject.has_name": [
    [CRB, "cluster-admin", "true"],
    [POD, "x", "true"],
  ],
  "ka.req.configmap.name": [
    [CONFIGMAP, NA, "my-config"],
    [POD, NA, "web-0"],
  ],
  "ka.req.configmap.obj": [
    [
      CONFIGMAP,
      NA,
      J({
        "access.properties": "aws_access_key_id = MY-ID\naws_secret_access_key = MY-KEY\n",
        "ui.properties": "color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n",
      }),
    ],
    [POD, NA, NA],
  ],
  "ka.req.pod.containers.name": [
    [PRIV_2ND, NA, ["nginx1", "mysql"]],
    [POD, "1", ["sidecar"]],
    [POD, "2", NA],
    [QUIRKS, NA, NA], // one container has no name: no value at all
  ],
  "ka.req.pod.containers.image": [
    [PRIV_2ND, NA, ["nginx", "mysql:latest"]],
    [POD, "1", ["busybox"]],
    [QUIRKS, NA, ["null", "b:1"]],
    [CRB, NA, NA],
  ],
  "ka.req.pod.containers.image.repository": [
    [PRIV_2ND, NA, ["nginx", "mysql"]],
    // cut at the first ':' (a registry port too), then at '@'
    [POD, NA, ["registry.example.com", "busybox"]],
  ],
  "ka.req.pod.containers.command": [
    [POD, NA, ["/bin/sh -c"]],
    [PRIV_2ND, NA, NA],
    [QUIRKS, NA, NA], // a non-string element is a type error upstream
  ],
  "ka.req.pod.containers.args": [
    [POD, NA, ["nginx -g 'daemon off;'"]],
    [POD, "1", NA],
  ],
  "ka.req.pod.containers.host_port": [
    [POD, NA, ["8080", "19090"]],
    [POD, "1", NA],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.containers.privileged": [
    [PRIV_2ND, NA, ["false", "true"]],
    [PRIV_2ND, "1", ["true"]],
    [HOSTNET, NA, NA],
  ],
  "ka.req.pod.containers.allow_privilege_escalation": [
    [POD, NA, ["false"]],
    [POD, "1", NA],
  ],
  "ka.req.pod.containers.read_only_fs": [[POD, NA, ["true"]]],
  "ka.req.pod.containers.run_as_user": [
    [POD, NA, ["2000"]],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.containers.eff_run_as_user": [
    // upstream reads spec.runAsUser and containers[].runAsUser, never the securityContext objects
    [POD, NA, ["0", "0"]],
    [QUIRKS, NA, ["9", "7"]],
    [QUIRKS, "0", ["9"]],
    // with an index, a container without the key is "not available", not the default
    [QUIRKS, "1", NA],
  ],
  "ka.req.pod.containers.run_as_group": [[POD, NA, ["0"]]],
  "ka.req.pod.containers.eff_run_as_group": [
    [POD, NA, ["0", "0"]],
    [QUIRKS, NA, ["8", "8"]],
  ],
  "ka.req.pod.containers.proc_mount": [[POD, NA, ["Unmasked"]]],
  "ka.req.pod.containers.add_capabilities": [
    // one value per container: its add list as JSON
    [POD, NA, [J(["NET_BIND_SERVICE"]), J(["SYS_ADMIN", "NET_ADMIN"])]],
    [POD, "1", [J(["SYS_ADMIN", "NET_ADMIN"])]],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.initContainers.name": [
    [POD, NA, ["init"]],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.initContainers.image": [[POD, NA, ["alpine:3.20"]]],
  "ka.req.pod.initContainers.image.repository": [[POD, NA, ["alpine"]]],
  "ka.req.pod.initContainers.command": [[POD, NA, ["sh"]]],
  "ka.req.pod.initContainers.args": [[POD, NA, ["-c echo hi"]]],
  "ka.req.pod.initContainers.host_port": [[POD, NA, ["5353"]]],
  "ka.req.pod.initContainers.privileged": [
    [POD, NA, ["true"]],
    [POD, "1", NA],
  ],
  "ka.req.pod.initContainers.allow_privilege_escalation": [
    [POD, NA, ["true"]],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.initContainers.read_only_fs": [[POD, NA, ["false"]]],
  "ka.req.pod.initContainers.run_as_user": [[POD, NA, ["0"]]],
  "ka.req.pod.initContainers.eff_run_as_user": [[POD, NA, ["0"]]],
  "ka.req.pod.initContainers.run_as_group": [[POD, NA, ["10"]]],
  "ka.req.pod.initContainers.eff_run_as_group": [[POD, NA, ["0"]]],
  "ka.req.pod.initContainers.proc_mount": [[POD, NA, ["Default"]]],
  "ka.req.pod.initContainers.add_capabilities": [[POD, NA, [J(["CHOWN"])]]],
  "ka.req.pod.ephemeralContainers.name": [[POD, NA, ["debugger"]]],
  "ka.req.pod.ephemeralContainers.image": [[POD, "0", ["nicolaka/netshoot"]]],
  "ka.req.pod.ephemeralContainers.image.repository": [[POD, NA, ["nicolaka/netshoot"]]],
  "ka.req.pod.ephemeralContainers.command": [[POD, NA, ["sleep"]]],
  "ka.req.pod.ephemeralContainers.args": [[POD, NA, ["1d"]]],
  "ka.req.pod.ephemeralContainers.host_port": [[POD, NA, ["7000"]]],
  "ka.req.pod.ephemeralContainers.privileged": [[POD, NA, ["false"]]],
  "ka.req.pod.ephemeralContainers.allow_privilege_escalation": [[POD, NA, ["true"]]],
  "ka.req.pod.ephemeralContainers.read_only_fs": [[POD, NA, ["true"]]],
  "ka.req.pod.ephemeralContainers.run_as_user": [[POD, NA, ["65534"]]],
  "ka.req.pod.ephemeralContainers.eff_run_as_user": [[POD, NA, ["0"]]],
  "ka.req.pod.ephemeralContainers.run_as_group": [[POD, NA, ["65534"]]],
  "ka.req.pod.ephemeralContainers.eff_run_as_group": [[POD, NA, ["0"]]],
  "ka.req.pod.ephemeralContainers.proc_mount": [[POD, NA, ["Default"]]],
  "ka.req.pod.ephemeralContainers.add_capabilities": [[POD, NA, [J(["NET_RAW"])]]],
  "ka.req.container.image": [
    [PRIV_2ND, NA, "nginx"],
    [POD, NA, "registry.example.com:5000/shop/web:1.2@sha256:ab12"],
    [CRB, NA, NA],
  ],
  "ka.req.container.image.repository": [
    [PRIV_2ND, NA, "nginx"],
    [POD, NA, "registry.example.com"],
  ],
  "ka.req.pod.host_ipc": [
    [POD, NA, "false"],
    [HOSTNET, NA, NA],
  ],
  "ka.req.pod.host_network": [
    [HOSTNET, NA, "true"],
    [POD, NA, "false"],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.container.host_network": [
    [HOSTNET, NA, "true"],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.host_pid": [
    [POD, NA, "true"],
    [HOSTNET, NA, NA],
  ],
  "ka.req.container.privileged": [
    [PRIV_2ND, NA, "true"],
    [HOSTNET, NA, "false"],
    [CRB, NA, NA],
  ],
  "ka.req.pod.run_as_user": [
    [POD, NA, "1000"],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.pod.run_as_group": [[POD, NA, "3000"]],
  "ka.req.role.rules": [
    [
      ROLE,
      NA,
      [
        J({ apiGroups: [""], resources: ["*"], verbs: ["get", "list"] }),
        J({ nonResourceURLs: NON_RESOURCE, verbs: ["get"] }),
      ],
    ],
    [POD, NA, NA],
  ],
  "ka.req.role.rules.apiGroups": [[ROLE, NA, [""]]],
  "ka.req.role.rules.nonResourceURLs": [
    [ROLE, NA, NON_RESOURCE],
    [ROLE, "0", NA],
  ],
  "ka.req.role.rules.verbs": [
    [ROLE, NA, ["get", "list", "get"]],
    [ROLE, "1", ["get"]],
  ],
  "ka.req.role.rules.resources": [
    [ROLE, NA, ["*"]],
    [ROLE, "1", NA],
  ],
  "ka.req.pod.fs_group": [[POD, NA, "2000"]],
  "ka.req.pod.supplemental_groups": [
    [POD, NA, ["4000", "5000"]],
    [PRIV_2ND, NA, NA],
  ],
  "ka.req.service.type": [
    [SERVICE, NA, "NodePort"],
    [CRB, NA, NA],
  ],
  "ka.req.service.ports": [
    // the ports array is the last step of the path, so it comes back whole, and an index does not apply
    [SERVICE, NA, [J([{ nodePort: 30080, port: 80, protocol: "TCP", targetPort: 80 }])]],
    [SERVICE, "5", [J([{ nodePort: 30080, port: 80, protocol: "TCP", targetPort: 80 }])]],
  ],
  "ka.req.pod.volumes.hostpath": [
    [SENSITIVE, NA, ["/etc"]],
    [POD, NA, ["/var/log"]],
    [QUIRKS, NA, ["/proc"]],
    [POD, "1", NA],
  ],
  "ka.req.volume.hostpath": [
    [SENSITIVE, "/etc", "true"],
    [SENSITIVE, "/e*", "true"],
    [SENSITIVE, "/", "false"],
    [POD, "/var/*", "true"],
    // only the first volume counts (the plugin gets index 0 along with the key)
    [QUIRKS, "/proc", NA],
    [CRB, "/etc", NA],
  ],
  "ka.req.pod.volumes.flexvolume_driver": [
    [POD, NA, ["example.com/lvm"]],
    [SENSITIVE, NA, NA],
  ],
  "ka.req.pod.volumes.volume_type": [
    [POD, NA, ["hostPath", "flexVolume", "emptyDir"]],
    [POD, "2", ["emptyDir"]],
    [SENSITIVE, NA, ["hostPath"]],
  ],
  "ka.resp.name": [
    [PRIV_2ND, NA, "nginx-deployment-544b59f8b8-ffkxm"],
    [EXEC, NA, NA],
  ],
  "ka.response.code": [
    [EXEC, NA, "101"],
    [IMPERSONATED, NA, "403"],
  ],
  "ka.response.reason": [
    [IMPERSONATED, NA, "Forbidden"],
    [CRB, NA, NA],
  ],
  "ka.useragent": [
    [POD, NA, "kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234"],
    [CRB, NA, NA],
  ],
  "ka.sourceips": [
    // upstream reads requestObject.rules[].sourceIPs, so the event's own sourceIPs never show
    [EXEC, NA, NA],
    [POD, NA, NA],
    [QUIRKS, NA, ["10.1.1.1", "10.1.1.2"]],
    [QUIRKS, "1", NA],
  ],
  "ka.cluster.name": [
    [POD, NA, "prod-eu-1"],
    [CRB, NA, NA],
  ],
  "json.value": [
    [POD, "/user/username", "jane"],
    [POD, "user/username", "jane"], // the leading '/' is optional
    [POD, "/annotations/authorization.k8s.io~1decision", "allow"],
    [POD, "/requestObject/spec/containers/1/name", "sidecar"],
    [POD, "/requestObject/spec/hostPID", "true"],
    [POD, "/user/groups", J(["dev", "system:authenticated"])],
    [POD, "/nosuch", NA],
    [POD, "/constructor", NA],
  ],
  // JSON.stringify with 2 spaces lays out the same as Go json.Indent (this event has no escapes)
  "json.obj": [[ROLEBINDING, NA, JSON.stringify(ROLEBINDING.raw, null, 2)]],
  "json.rawtime": [
    [POD, NA, "1714979289123456789"],
    [PRIV_2ND, NA, "1540489987006845000"],
  ],
  "jevt.value": [
    [CRB, "/objectRef/name", "some-reader-binding"],
    [CRB, "/requestObject/subjects/0", SUBJECT],
  ],
  "jevt.obj": [[ROLEBINDING, NA, JSON.stringify(ROLEBINDING.raw, null, 2)]],
  "jevt.rawtime": [
    [PRIV_2ND, NA, "1540489987006845000"],
    [IMPERSONATED, NA, "1505159705000000000"],
  ],
};

function extract(name: string, evt: AuditEvent, arg: string | undefined): Extracted {
  const found = K8S_AUDIT_FIELDS.lookup(name);
  if (!found?.def.extract) throw new Error(`${name}: not extractable`);
  const v = found.def.extract(evt, arg);
  // the compile-time bound form must give the same value
  if (found.def.bind) expect(found.def.bind(arg)(evt)).toEqual(v);
  return v;
}

describe("k8saudit + json plugin field table", () => {
  it(`defines exactly the ${SPEC.length} upstream fields, with their type, list flag and argument`, () => {
    const ours = K8S_AUDIT_FIELDS.all().map((d) => ({
      name: d.name,
      type: d.type,
      list: !!d.list,
      arg: d.arg ?? "none",
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(ours.sort(byName)).toEqual([...SPEC].sort(byName));
    expect(SPEC.length).toBe(107);
  });

  it("every field has value cases, at least one of them with a value", () => {
    for (const f of SPEC) {
      expect(CASES[f.name], f.name).toBeDefined();
      expect(
        CASES[f.name]!.some(([, , want]) => want !== undefined),
        f.name,
      ).toBe(true);
    }
    expect(Object.keys(CASES).sort()).toEqual(SPEC.map((f) => f.name).sort());
  });

  for (const f of SPEC) {
    it(f.name, () => {
      for (const [evt, arg, want] of CASES[f.name] ?? []) {
        const got = extract(f.name, evt, arg);
        expect({ event: evt.raw.auditID, arg, got }).toEqual({ event: evt.raw.auditID, arg, got: want });
        if (got !== undefined) expect(Array.isArray(got)).toBe(f.list);
      }
    });
  }
});

describe("k8saudit field details", () => {
  it("an event without auditID has no ka.* value, but json.* still reads it", () => {
    const { auditID: _drop, ...rest } = POD.raw;
    const bare = built(rest);
    for (const f of SPEC) {
      const arg = f.arg === "none" ? undefined : f.arg === "index" ? "0" : "x";
      const v = extract(f.name, bare, arg);
      if (f.name.startsWith("ka.")) expect({ f: f.name, v }).toEqual({ f: f.name, v: undefined });
    }
    expect(extract("json.value", bare, "/verb")).toBe("create");
  });

  it.each([
    ["/api?a=1;b=2", "a", NA], // Go rejects ';' separators: the whole query fails
    ["/api?a=%zz&b=2", "b", NA], // a bad escape anywhere fails the whole query
    ["/api/x%zz?a=1", "a", NA], // so does one in the path
    ["/api?a=1#frag", "a", "1"],
    ["/api?a=1#bad%zz", "a", NA],
    ["/api?a=x+y%20z", "a", "x y z"],
    ["/api?a&b=2", "a", ""],
    ["/api?&&a=3&a=4", "a", "3"],
    ["/api?a=%E2%9C%93", "a", "✓"],
    ["/api", "a", NA],
    ["/api?a=1\u0001", "a", NA],
  ])("ka.uri.param: %s [%s] -> %s", (uri, key, want) => {
    const e = built({ kind: "Event", auditID: "u", requestURI: uri, stageTimestamp: "2024-01-01T00:00:00Z" });
    expect(extract("ka.uri.param", e, key)).toBe(want);
  });

  it("ka.target.pod.name only for pods without a subresource (an empty subresource counts as none)", () => {
    const ev = (objectRef: object) =>
      built({ kind: "Event", auditID: "p", objectRef, responseObject: { metadata: { name: "made" } } });
    expect(extract("ka.target.pod.name", ev({ resource: "pods", subresource: "" }), NA)).toBe("made");
    expect(extract("ka.target.pod.name", ev({ resource: "pods", subresource: "log" }), NA)).toBe(NA);
    expect(extract("ka.target.pod.name", ev({ resource: "deployments" }), NA)).toBe(NA);
  });

  it("object members only: prototype names are not values", () => {
    expect(extract("json.value", POD, "/user/toString")).toBe(NA);
    expect(extract("ka.uri.param", POD, "constructor")).toBe(NA);
  });

  it("jevt.rawtime is exact to the ns across events of the same second, other seconds and offsets", () => {
    const at = (stageTimestamp: string) =>
      extract("jevt.rawtime", built({ kind: "Event", stageTimestamp }), NA);
    expect(at("2024-05-06T07:08:09.5Z")).toBe("1714979289500000000");
    expect(at("2024-05-06T07:08:09.000000001Z")).toBe("1714979289000000001");
    expect(at("2024-05-06T07:08:09Z")).toBe("1714979289000000000");
    expect(at("2024-05-06T07:08:10.25Z")).toBe("1714979290250000000");
    expect(at("2024-05-06T09:08:10.25+02:00")).toBe("1714979290250000000");
    expect(at("2024-05-06T07:08:10.25Z")).toBe("1714979290250000000");
  });

  it("json.obj is Go's json.Indent output: two spaces, ': ', empty {} and [] kept, escapes as written", () => {
    const text =
      '{ "kind" :"Event","stageTimestamp":"2024-01-01T00:00:00Z","auditID":"x","a":[ ],"b":{},"c":[1,{"d":"e\\u003c\\"}"}],"s":"x y"}';
    const d = decodeAuditLine(text);
    expect(extract("jevt.obj", d.events[0]!, NA)).toBe(
      [
        "{",
        '  "kind": "Event",',
        '  "stageTimestamp": "2024-01-01T00:00:00Z",',
        '  "auditID": "x",',
        '  "a": [],',
        '  "b": {},',
        '  "c": [',
        "    1,",
        "    {",
        '      "d": "e\\u003c\\"}"',
        "    }",
        "  ],",
        '  "s": "x y"',
        "}",
      ].join("\n"),
    );
  });
});
