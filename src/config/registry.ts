import type { Check } from "../core/check.js";
import { CONFIG_CHECKS } from "./checks/index.js";
import { PSS_CHECKS } from "./pss/index.js";

/** Every manifest check: Pod Security Standards first, then workload hardening, RBAC and network. */
export const MANIFEST_CHECKS: readonly Check[] = [...PSS_CHECKS, ...CONFIG_CHECKS];
