import { resourceLimits } from "../../../src/config/checks/wl-resource-limits.js";
import { resourceRequests } from "../../../src/config/checks/wl-resource-requests.js";
import { DC, deployment, goodContainer, goodPodSpec, pod } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const withResources = (resources: unknown, extra: Record<string, unknown> = {}) =>
  deployment("web", goodPodSpec({ containers: [goodContainer({ resources })], ...extra }));

function limitRange(name: string, item: Record<string, unknown>, ns = "shop") {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name, namespace: ns },
    spec: { limits: [{ type: "Container", ...item }] },
  };
}

ruleTester(resourceLimits, {
  valid: [
    { name: "both limits", objects: [withResources({ limits: { cpu: "1", memory: "1Gi" } })] },
    {
      name: "LimitRange default fills missing limits",
      objects: [withResources({}), limitRange("defaults", { default: { cpu: "500m", memory: "512Mi" } })],
    },
    {
      name: "LimitRange max becomes the default limit",
      objects: [withResources(undefined), limitRange("caps", { max: { cpu: "2", memory: "2Gi" } })],
    },
    {
      name: "pod-level limits bound the pod",
      objects: [
        withResources(
          { requests: { cpu: "1", memory: "1Gi" } },
          { resources: { limits: { cpu: "1", memory: "1Gi" } } },
        ),
      ],
    },
    {
      name: "ephemeral containers cannot carry resources",
      objects: [
        pod(
          "p",
          goodPodSpec({
            ephemeralContainers: [{ name: "debug", image: "busybox:1.36", targetContainerName: "app" }],
          }),
        ),
      ],
    },
  ],
  invalid: [
    {
      name: "no resources at all",
      objects: [withResources(undefined)],
      expected: [
        {
          id: "KW-WL-004",
          path: DC(),
          container: "app",
          severity: "medium",
          message: ["limits.cpu or resources.limits.memory"],
        },
      ],
    },
    {
      name: "only cpu limit missing",
      objects: [withResources({ limits: { memory: "1Gi" } })],
      expected: [
        { id: "KW-WL-004", path: [...DC(), "resources", "limits"], container: "app", severity: "low" },
      ],
    },
    {
      name: "requests only",
      objects: [withResources({ requests: { cpu: "1", memory: "1Gi" } })],
      expected: [{ id: "KW-WL-004", path: [...DC(), "resources"], container: "app", severity: "medium" }],
    },
    {
      name: "LimitRange in another namespace does not apply",
      objects: [withResources({}), limitRange("defaults", { default: { cpu: "1", memory: "1Gi" } }, "other")],
      expected: [{ id: "KW-WL-004", path: [...DC(), "resources"], container: "app" }],
    },
    {
      name: "LimitRange of type Pod gives containers no default",
      objects: [
        withResources({}),
        {
          apiVersion: "v1",
          kind: "LimitRange",
          metadata: { name: "p", namespace: "shop" },
          spec: { limits: [{ type: "Pod", max: { cpu: "1", memory: "1Gi" } }] },
        },
      ],
      expected: [{ id: "KW-WL-004", path: [...DC(), "resources"], container: "app" }],
    },
    {
      name: "init container",
      objects: [
        deployment(
          "web",
          goodPodSpec({ initContainers: [goodContainer({ name: "migrate", resources: {} })] }),
        ),
      ],
      expected: [{ id: "KW-WL-004", path: [...DC(0, "initContainers"), "resources"], container: "migrate" }],
    },
  ],
});

ruleTester(resourceRequests, {
  valid: [
    { name: "both requests", objects: [withResources({ requests: { cpu: "1", memory: "1Gi" } })] },
    // Kubernetes defaults a container's missing request to its limit.
    { name: "limits imply requests", objects: [withResources({ limits: { cpu: "1", memory: "1Gi" } })] },
    {
      name: "LimitRange defaultRequest",
      objects: [withResources({}), limitRange("d", { defaultRequest: { cpu: "100m", memory: "64Mi" } })],
    },
    // LimitRange defaulting: defaultRequest falls back to default, then min.
    {
      name: "LimitRange default implies defaultRequest",
      objects: [withResources({}), limitRange("d", { default: { cpu: "1", memory: "1Gi" } })],
    },
    {
      name: "LimitRange min implies defaultRequest",
      objects: [withResources({}), limitRange("d", { min: { cpu: "10m", memory: "8Mi" } })],
    },
  ],
  invalid: [
    {
      name: "nothing set",
      objects: [withResources(undefined)],
      expected: [
        {
          id: "KW-WL-005",
          path: DC(),
          container: "app",
          message: ["resources.requests.cpu or resources.requests.memory"],
        },
      ],
    },
    {
      name: "memory request missing",
      objects: [withResources({ requests: { cpu: "1" }, limits: { cpu: "2" } })],
      expected: [
        {
          id: "KW-WL-005",
          path: [...DC(), "resources", "requests"],
          container: "app",
          message: ["requests.memory"],
        },
      ],
    },
    {
      name: "LimitRange covering only cpu",
      objects: [withResources({}), limitRange("d", { defaultRequest: { cpu: "100m" } })],
      expected: [
        {
          id: "KW-WL-005",
          path: [...DC(), "resources"],
          container: "app",
          message: ["no resources.requests.memory"],
        },
      ],
    },
  ],
});
