import { livenessProbe } from "../../../src/config/checks/wl-liveness-probe.js";
import { readinessProbe } from "../../../src/config/checks/wl-readiness-probe.js";
import { readOnlyRootFs } from "../../../src/config/checks/wl-readonly-rootfs.js";
import { runAsRoot } from "../../../src/config/checks/wl-run-as-root.js";
import { saTokenAutomount } from "../../../src/config/checks/wl-sa-token-automount.js";
import { shareProcessNamespace } from "../../../src/config/checks/wl-share-process-namespace.js";
import { DC, DS, deployment, goodContainer, goodPodSpec, pod } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const sc = (securityContext: Record<string, unknown>, name = "app") =>
  goodContainer({ name, securityContext });
const withContainers = (containers: unknown[], extra: Record<string, unknown> = {}) =>
  deployment("web", goodPodSpec({ containers, ...extra }));

ruleTester(readOnlyRootFs, {
  valid: [
    { name: "read-only root", objects: [withContainers([sc({ readOnlyRootFilesystem: true })])] },
    {
      name: "Windows pods cannot set it",
      objects: [withContainers([goodContainer({ securityContext: undefined })], { os: { name: "windows" } })],
    },
    {
      name: "ephemeral debug container is exempt",
      objects: [pod("p", goodPodSpec({ ephemeralContainers: [{ name: "dbg", image: "busybox:1.36" }] }))],
    },
  ],
  invalid: [
    {
      name: "explicit false",
      objects: [withContainers([sc({ readOnlyRootFilesystem: false })])],
      expected: [
        {
          id: "KW-WL-006",
          path: [...DC(), "securityContext", "readOnlyRootFilesystem"],
          container: "app",
          message: ["=false"],
        },
      ],
    },
    {
      name: "unset in an existing securityContext",
      objects: [withContainers([sc({ runAsUser: 1000 })])],
      expected: [
        {
          id: "KW-WL-006",
          path: [...DC(), "securityContext"],
          container: "app",
          message: ["defaults to false"],
        },
      ],
    },
    {
      name: "no securityContext, init container too",
      objects: [
        withContainers([goodContainer({ securityContext: undefined })], {
          initContainers: [goodContainer({ name: "init", securityContext: undefined })],
        }),
      ],
      expected: [
        { id: "KW-WL-006", path: DC(0, "initContainers"), container: "init" },
        { id: "KW-WL-006", path: DC(), container: "app" },
      ],
    },
  ],
});

ruleTester(runAsRoot, {
  valid: [
    {
      name: "non-zero UID",
      objects: [withContainers([sc({ runAsUser: 1000, readOnlyRootFilesystem: true })])],
    },
    {
      name: "pod root overridden by every container",
      objects: [withContainers([sc({ runAsUser: 1000 })], { securityContext: { runAsUser: 0 } })],
    },
    { name: "unset (image default is not known here)", objects: [withContainers([sc({})])] },
  ],
  invalid: [
    {
      name: "container runAsUser 0",
      objects: [withContainers([sc({ runAsUser: 0 })])],
      expected: [
        {
          id: "KW-WL-007",
          path: [...DC(), "securityContext", "runAsUser"],
          container: "app",
          severity: "high",
        },
      ],
    },
    {
      name: "pod runAsUser 0 inherited by one of two containers",
      objects: [
        withContainers([sc({ runAsUser: 1000 }), sc({}, "sidecar")], { securityContext: { runAsUser: 0 } }),
      ],
      expected: [{ id: "KW-WL-007", path: [...DS, "securityContext", "runAsUser"], message: ['"sidecar"'] }],
    },
    {
      name: "both levels",
      objects: [
        pod(
          "p",
          goodPodSpec({ securityContext: { runAsUser: 0 }, containers: [sc({}), sc({ runAsUser: 0 }, "b")] }),
        ),
      ],
      expected: [
        { id: "KW-WL-007", path: ["spec", "securityContext", "runAsUser"], message: ['"app"'] },
        { id: "KW-WL-007", path: ["spec", "containers", 1, "securityContext", "runAsUser"], container: "b" },
      ],
    },
  ],
});

const sa = (name: string, automount?: boolean, ns = "shop") => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { name, namespace: ns },
  ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
});
const noAutomountSetting = (extra: Record<string, unknown> = {}) => {
  const spec = goodPodSpec(extra);
  delete spec.automountServiceAccountToken;
  return deployment("web", spec);
};

ruleTester(saTokenAutomount, {
  valid: [
    { name: "pod opts out", objects: [deployment("web")] },
    {
      name: "ServiceAccount opts out",
      objects: [noAutomountSetting({ serviceAccountName: "web" }), sa("web", false)],
    },
    { name: "default ServiceAccount opts out", objects: [noAutomountSetting(), sa("default", false)] },
    {
      name: "deprecated serviceAccount field",
      objects: [noAutomountSetting({ serviceAccount: "legacy" }), sa("legacy", false)],
    },
  ],
  invalid: [
    {
      name: "unset everywhere",
      objects: [noAutomountSetting()],
      expected: [{ id: "KW-WL-008", path: DS, message: ['"default" is not among the scanned objects'] }],
    },
    {
      name: "pod true wins over ServiceAccount false",
      objects: [
        deployment("web", goodPodSpec({ automountServiceAccountToken: true, serviceAccountName: "web" })),
        sa("web", false),
      ],
      expected: [{ id: "KW-WL-008", path: [...DS, "automountServiceAccountToken"], message: ["=true"] }],
    },
    {
      name: "ServiceAccount in another namespace does not count",
      objects: [noAutomountSetting({ serviceAccountName: "web" }), sa("web", false, "other")],
      expected: [{ id: "KW-WL-008", path: DS }],
    },
    {
      name: "ServiceAccount without opt-out",
      objects: [noAutomountSetting({ serviceAccountName: "web" }), sa("web")],
      expected: [{ id: "KW-WL-008", path: DS, message: ['ServiceAccount "web"'] }],
    },
  ],
});

const noProbe = (name: string, probe: "livenessProbe" | "readinessProbe") => {
  const c = goodContainer({ name });
  delete c[probe];
  return c;
};

ruleTester(livenessProbe, {
  valid: [
    { name: "has livenessProbe", objects: [deployment("web")] },
    {
      name: "init and ephemeral containers need none",
      objects: [
        pod(
          "p",
          goodPodSpec({
            initContainers: [noProbe("init", "livenessProbe")],
            ephemeralContainers: [{ name: "dbg", image: "busybox:1.36" }],
          }),
        ),
      ],
    },
  ],
  invalid: [
    {
      name: "second container lacks it",
      objects: [withContainers([goodContainer(), noProbe("worker", "livenessProbe")])],
      expected: [
        { id: "KW-WL-010", path: DC(1), container: "worker", message: ['"worker" has no livenessProbe'] },
      ],
    },
  ],
});

ruleTester(readinessProbe, {
  valid: [
    { name: "has readinessProbe", objects: [deployment("web")] },
    {
      name: "init container needs none",
      objects: [deployment("web", goodPodSpec({ initContainers: [noProbe("i", "readinessProbe")] }))],
    },
  ],
  invalid: [
    {
      name: "missing",
      objects: [withContainers([noProbe("app", "readinessProbe")])],
      expected: [{ id: "KW-WL-011", path: DC(), container: "app" }],
    },
  ],
});

ruleTester(shareProcessNamespace, {
  valid: [
    { name: "unset", objects: [deployment("web")] },
    { name: "false", objects: [deployment("web", goodPodSpec({ shareProcessNamespace: false }))] },
  ],
  invalid: [
    {
      name: "true",
      objects: [
        withContainers([goodContainer(), goodContainer({ name: "proxy" })], { shareProcessNamespace: true }),
      ],
      expected: [{ id: "KW-WL-015", path: [...DS, "shareProcessNamespace"], message: ['"app", "proxy"'] }],
    },
  ],
});
