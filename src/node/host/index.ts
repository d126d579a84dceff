// Host hardening checks beside the CIS sections, one module per concern, registered here.

import { auditdRunning } from "./auditd.js";
import { noBuildTools } from "./build-tools.js";
import { kernelParameters, protectKernelDefaults } from "./kernel.js";
import { macEnforcing } from "./mac.js";
import { emptyPackageCaches } from "./package-cache.js";
import { controlPlaneNotRoot } from "./root-processes.js";
import { noStrayServices } from "./services.js";
import { sshRootLogin } from "./ssh.js";
import { swapOff } from "./swap.js";
import type { HostCheck } from "./types.js";

export { KUBELET_SYSCTLS } from "./kernel.js";
export type { HostCheck, HostVerdict } from "./types.js";

/** Every host check by module file name (a test keeps this map and the folder in step). */
export const HOST_CHECK_MODULES: ReadonlyMap<string, readonly HostCheck[]> = new Map<
  string,
  readonly HostCheck[]
>([
  ["mac", [macEnforcing]],
  ["auditd", [auditdRunning]],
  ["swap", [swapOff]],
  ["kernel", [kernelParameters, protectKernelDefaults]],
  ["ssh", [sshRootLogin]],
  ["build-tools", [noBuildTools]],
  ["package-cache", [emptyPackageCaches]],
  ["services", [noStrayServices]],
  ["root-processes", [controlPlaneNotRoot]],
]);

/** In report order. */
export const HOST_CHECKS: readonly HostCheck[] = [...HOST_CHECK_MODULES.values()].flat();
