import { describe, expect, it } from "vitest";
import { dangerousCapabilities } from "../../../src/config/checks/wl-dangerous-capabilities.js";
import { defaultNamespace } from "../../../src/config/checks/wl-default-namespace.js";
import { envSecrets, secretReason } from "../../../src/config/checks/wl-env-secrets.js";
import { classifyHostPath, sensitiveHostPath } from "../../../src/config/checks/wl-sensitive-hostpath.js";
import { DC, DS, deployment, goodContainer, goodPodSpec, role } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const withEnv = (env: unknown[]) => deployment("web", goodPodSpec({ containers: [goodContainer({ env })] }));
// Well-known documentation samples, not live credentials.
const AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const GH_TOKEN = `ghp_${"A1b2C3d4E5".repeat(4).slice(0, 36)}`;
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----";

describe("secretReason", () => {
  it.each([
    ["DB_PASSWORD", "hunter2", "name"],
    ["STRIPE_API_KEY", "abc", "name"],
    ["apiKey", "abc", "name"],
    ["github-token", "abc", "name"],
    ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI", "name"],
    ["SOME_SETTING", AWS_KEY_ID, "AWS access key"],
    ["CERT", PEM, "PEM private key"],
    ["CI", GH_TOKEN, "GitHub token"],
    ["DATABASE_URL", "postgres://app:s3cret@db:5432/shop", "credentials in a URL"],
  ])("%s is flagged (%s)", (name, value, why) => {
    expect(secretReason(name, value)).toContain(why === "name" ? "name says" : why);
  });
  it.each([
    ["PASSWORD_FILE", "/run/secrets/db"],
    ["SECRET_NAME", "db-credentials"],
    ["TOKEN_URL", "https://auth.example.com/token"],
    ["AWS_ACCESS_KEY_ID", "not-a-key"],
    ["DB_PASSWORD", ""],
    ["ENABLE_TOKEN_AUTH", "true"],
    ["DB_PASSWORD", "$(DB_PASSWORD_FROM_SECRET)"],
    ["LOG_LEVEL", "debug"],
    ["PWD", "/app"],
    ["DATABASE_URL", "postgres://db:5432/shop"],
  ])("%s=%s is not flagged", (name, value) => {
    expect(secretReason(name, value)).toBeUndefined();
  });
});

ruleTester(envSecrets, {
  valid: [
    {
      name: "secretKeyRef",
      objects: [
        withEnv([{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]),
      ],
    },
    {
      name: "plain settings",
      objects: [
        withEnv([
          { name: "LOG_LEVEL", value: "info" },
          { name: "PORT", value: "8080" },
        ]),
      ],
    },
  ],
  invalid: [
    {
      name: "password literal, value not echoed",
      objects: [
        withEnv([
          { name: "PORT", value: "8080" },
          { name: "DB_PASSWORD", value: "hunter2" },
        ]),
      ],
      expected: [
        {
          id: "KW-WL-009",
          path: [...DC(), "env", 1, "value"],
          container: "app",
          message: ["DB_PASSWORD", "name says"],
        },
      ],
    },
    {
      name: "AWS key under a harmless name",
      objects: [withEnv([{ name: "UPLOAD_ID", value: AWS_KEY_ID }])],
      expected: [
        {
          id: "KW-WL-009",
          path: [...DC(), "env", 0, "value"],
          container: "app",
          message: ["AWS access key id"],
        },
      ],
    },
    {
      name: "init container with PEM key",
      objects: [
        deployment(
          "web",
          goodPodSpec({
            initContainers: [goodContainer({ name: "init", env: [{ name: "KEY", value: PEM }] })],
          }),
        ),
      ],
      expected: [
        { id: "KW-WL-009", path: [...DC(0, "initContainers"), "env", 0, "value"], container: "init" },
      ],
    },
  ],
});

describe("classifyHostPath", () => {
  it.each([
    ["/", "critical"],
    ["/var/run/docker.sock", "critical"],
    ["/run/containerd/containerd.sock", "critical"],
    ["/var/run/crio/crio.sock", "critical"],
    ["/var/run", "critical"],
    ["/var", "critical"],
    ["/var/run/docker.sock/", "critical"],
    ["//var//run/../run/docker.sock", "critical"],
    ["/proc", "high"],
    ["/proc/sys/kernel", "high"],
    ["/etc", "high"],
    ["/etc/kubernetes/pki", "high"],
    ["/var/lib/kubelet", "high"],
    ["/var/lib", "high"],
    ["/root", "high"],
    ["/var/lib/docker/containers", "high"],
  ])("%s is %s", (p, sev) => {
    expect(classifyHostPath(p)?.severity).toBe(sev);
  });
  it.each(["/var/log", "/data/shop", "/opt/app/cache", "/mnt/disks/ssd0", "/etcetera", "/procfs-not"])(
    "%s is not sensitive",
    (p) => {
      expect(classifyHostPath(p)).toBeUndefined();
    },
  );
});

const withVolumes = (volumes: unknown[], mounts: unknown[] = []) =>
  deployment("web", goodPodSpec({ volumes, containers: [goodContainer({ volumeMounts: mounts })] }));

ruleTester(sensitiveHostPath, {
  valid: [
    {
      name: "emptyDir",
      objects: [withVolumes([{ name: "tmp", emptyDir: {} }], [{ name: "tmp", mountPath: "/tmp" }])],
    },
    {
      name: "harmless hostPath",
      objects: [withVolumes([{ name: "logs", hostPath: { path: "/var/log/shop" } }])],
    },
  ],
  invalid: [
    {
      name: "docker socket mounted by a container",
      objects: [
        withVolumes(
          [{ name: "docker", hostPath: { path: "/var/run/docker.sock", type: "Socket" } }],
          [{ name: "docker", mountPath: "/var/run/docker.sock" }],
        ),
      ],
      expected: [
        {
          id: "KW-WL-012",
          path: [...DS, "volumes", 0, "hostPath", "path"],
          container: "app",
          severity: "critical",
          message: ['"docker"', "runtime socket"],
        },
      ],
    },
    {
      name: "/etc and / (unmounted volumes still reported, without container)",
      objects: [
        withVolumes([
          { name: "tmp", emptyDir: {} },
          { name: "etc", hostPath: { path: "/etc" } },
          { name: "root", hostPath: { path: "/" } },
        ]),
      ],
      expected: [
        { id: "KW-WL-012", path: [...DS, "volumes", 1, "hostPath", "path"], severity: "high" },
        { id: "KW-WL-012", path: [...DS, "volumes", 2, "hostPath", "path"], severity: "critical" },
      ],
    },
  ],
});

const withCaps = (add: unknown[]) =>
  deployment(
    "web",
    goodPodSpec({
      containers: [
        goodContainer({
          securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"], add } },
        }),
      ],
    }),
  );
const capPath = (i: number) => [...DC(), "securityContext", "capabilities", "add", i];

ruleTester(dangerousCapabilities, {
  valid: [
    { name: "NET_BIND_SERVICE only", objects: [withCaps(["NET_BIND_SERVICE"])] },
    { name: "dropping is fine", objects: [deployment("web")] },
  ],
  invalid: [
    {
      name: "SYS_ADMIN and NET_RAW next to a harmless one",
      objects: [withCaps(["NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW"])],
      expected: [
        { id: "KW-WL-013", path: capPath(1), container: "app", severity: "critical", message: ["SYS_ADMIN"] },
        { id: "KW-WL-013", path: capPath(2), container: "app", severity: "medium", message: ["NET_RAW"] },
      ],
    },
    {
      name: "CAP_ prefix and lower case, ALL",
      objects: [withCaps(["cap_sys_ptrace", "all", "BPF", "DAC_READ_SEARCH", "NET_ADMIN", "SYS_MODULE"])],
      expected: [
        { id: "KW-WL-013", path: capPath(0), container: "app", severity: "high" },
        { id: "KW-WL-013", path: capPath(1), container: "app", severity: "critical" },
        { id: "KW-WL-013", path: capPath(2), container: "app", severity: "high" },
        { id: "KW-WL-013", path: capPath(3), container: "app", severity: "high" },
        { id: "KW-WL-013", path: capPath(4), container: "app", severity: "high" },
        { id: "KW-WL-013", path: capPath(5), container: "app", severity: "critical" },
      ],
    },
  ],
});

ruleTester(defaultNamespace, {
  valid: [
    { name: "own namespace", objects: [deployment("web")] },
    {
      name: "cluster-scoped kinds",
      objects: [
        role("reader", [], "ClusterRole"),
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      ],
    },
    {
      // what a cluster audit lists in "default" on every cluster: created by Kubernetes, not by users
      name: "objects Kubernetes keeps in default",
      objects: [
        { apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes", namespace: "default" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "default" } },
      ],
    },
  ],
  invalid: [
    {
      name: "a user's ServiceAccount or Service in default",
      objects: [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "kubernetes", namespace: "default" } },
        { apiVersion: "v1", kind: "Service", metadata: { name: "default", namespace: "default" } },
      ],
      expected: [
        { id: "KW-WL-014", path: ["metadata", "namespace"], severity: "low", name: "kubernetes" },
        { id: "KW-WL-014", path: ["metadata", "namespace"], severity: "low", name: "default" },
      ],
    },
    {
      name: "explicit default",
      objects: [deployment("web", goodPodSpec(), "default")],
      expected: [{ id: "KW-WL-014", path: ["metadata", "namespace"], severity: "low" }],
    },
    {
      name: "unset namespace",
      objects: [
        deployment("web", goodPodSpec(), null),
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" } },
      ],
      expected: [
        {
          id: "KW-WL-014",
          path: ["metadata"],
          severity: "info",
          name: "web",
          message: ["unless applied with -n"],
        },
        { id: "KW-WL-014", path: ["metadata"], severity: "info", name: "cfg" },
      ],
    },
  ],
});
