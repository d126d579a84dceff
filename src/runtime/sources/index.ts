/** Field tables by Falco source name, and the event-source registry. */
import { K8S_AUDIT_FIELDS } from "../fields/k8saudit.js";
import { SYSCALL_FIELDS } from "../fields/syscall.js";
import type { FieldTable } from "../fields/types.js";

export function defaultTables(): Record<string, FieldTable<never>> {
  return { k8s_audit: K8S_AUDIT_FIELDS as FieldTable<never>, syscall: SYSCALL_FIELDS as FieldTable<never> };
}
