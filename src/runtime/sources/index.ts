/** Field tables by Falco source name, and the event-source registry (one source per file). */
import { RuntimeError } from "../errors.js";
import { K8S_AUDIT_FIELDS } from "../fields/k8saudit.js";
import { SYSCALL_FIELDS } from "../fields/syscall.js";
import type { FieldTable } from "../fields/types.js";
import { auditFileSource } from "./k8saudit-file.js";
import { procSource } from "./proc.js";
import { tetragonSource } from "./tetragon.js";
import type { EventSource } from "./types.js";
import { type WebhookOptions, webhookSource } from "./webhook.js";

export function defaultTables(): Record<string, FieldTable<never>> {
  return { k8s_audit: K8S_AUDIT_FIELDS as FieldTable<never>, syscall: SYSCALL_FIELDS as FieldTable<never> };
}

export interface SourceContext {
  follow?: boolean;
  webhook?: Omit<WebhookOptions, "port">;
  procIntervalMs?: number;
  /** also report processes and sockets that exist when the proc source starts */
  procExisting?: boolean;
  log: (s: string) => void;
}

export interface SourceKind {
  /** the file under sources/ that implements it */
  file: string;
  usage: string;
  create(arg: string, ctx: SourceContext): EventSource;
}

/** `--source KIND[:ARG]` kinds. */
export const SOURCES: Record<string, SourceKind> = {
  k8saudit: {
    file: "k8saudit-file.ts",
    usage: "k8saudit:FILE",
    create: (arg, ctx) => {
      if (!arg) throw new RuntimeError("source-spec", "--source k8saudit:FILE needs a file");
      return auditFileSource({ path: arg, follow: ctx.follow });
    },
  },
  "k8saudit-webhook": {
    file: "webhook.ts",
    usage: "k8saudit-webhook:PORT",
    create: (arg, ctx) => {
      const port = Number(arg);
      if (arg === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new RuntimeError(
          "source-spec",
          `--source k8saudit-webhook:PORT needs a port number, got '${arg}'`,
        );
      }
      return webhookSource({ ...ctx.webhook, port, log: ctx.log });
    },
  },
  proc: {
    file: "proc.ts",
    usage: "proc",
    create: (_arg, ctx) =>
      procSource({ intervalMs: ctx.procIntervalMs, includeExisting: ctx.procExisting, log: ctx.log }),
  },
  tetragon: {
    file: "tetragon.ts",
    usage: "tetragon:FILE (- for stdin)",
    create: (arg, ctx) => {
      if (!arg) throw new RuntimeError("source-spec", "--source tetragon:FILE needs a file (- for stdin)");
      return tetragonSource({ path: arg, follow: ctx.follow });
    },
  },
};

/** Parse one `--source` spec into a source. */
export function makeSource(spec: string, ctx: SourceContext): EventSource {
  const i = spec.indexOf(":");
  const kind = i < 0 ? spec : spec.slice(0, i);
  const arg = i < 0 ? "" : spec.slice(i + 1);
  const k = SOURCES[kind];
  if (!k) {
    throw new RuntimeError(
      "source-spec",
      `unknown source '${kind}' (expected ${Object.values(SOURCES)
        .map((s) => s.usage)
        .join(", ")})`,
    );
  }
  return k.create(arg, ctx);
}
