// `kubeward admission serve | review | manifests`.
import { promises as fs } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { bundleConfig } from "./bundle.js";
import type { AdmissionConfig } from "./config.js";
import type { EngineOptions } from "./engine.js";
import { AdmissionError } from "./errors.js";
import { type Endpoint, handleReview, loadEngine } from "./handler.js";
import { admissionManifests, manifestsYaml } from "./manifests.js";
import { cachedLabels, kubeNamespaceLabels, kubeNamespacePods } from "./namespaces.js";
import { startAdmissionServer } from "./server.js";

/**
 * The supply-chain implementations the config needs: the cosign verifier (src/signing) for
 * signature rules, the registry for digest pinning and image users, the image inventory matched
 * against the vulnerability database for vulnerability rules.
 */
function supplyChain(
  trustedRoot: string | undefined,
  vulnDb?: string,
): (config: AdmissionConfig) => Promise<Omit<EngineOptions, "vap">> {
  return async (config: AdmissionConfig) => {
    const opts: Omit<EngineOptions, "vap"> = {};
    if (config.signatures.length > 0) {
      const { createCosignVerifier } = await import("../signing/index.js");
      opts.signatureVerifier = createCosignVerifier(trustedRoot ? { trustedRoot } : {});
    }
    if (config.mutation.enabled) {
      const mutation: NonNullable<EngineOptions["mutation"]> = { imageUser: await registryImageUser() };
      if (config.mutation.pinDigests) {
        const { resolveImage } = await import("../signing/resolve.js");
        mutation.resolveDigest = async (image) => (await resolveImage(image)).digest;
      }
      opts.mutation = mutation;
    }
    if (config.vulnerabilities.length > 0) {
      const { createImageVulnerabilityScanner } = await import("./vuln-scanner.js");
      const { defaultDbPath } = await import("../vulns/index.js");
      opts.vulnerabilityScanner = createImageVulnerabilityScanner({ dbPath: vulnDb ?? defaultDbPath() });
    }
    return opts;
  };
}

/** The user an image's config names (read from its registry), cached 5 minutes per reference. */
async function registryImageUser(): Promise<(image: string) => Promise<string | undefined>> {
  const { openRegistryImage } = await import("../images/registry/source.js");
  const { parseDockerRef } = await import("../images/ref.js");
  const cache = new Map<string, { at: number; user: string | undefined }>();
  const platform = { os: "linux", architecture: process.arch === "arm64" ? "arm64" : "amd64" };
  return async (image) => {
    const hit = cache.get(image);
    if (hit && Date.now() - hit.at < 300_000) return hit.user;
    const src = await openRegistryImage(parseDockerRef(image), platform, {});
    try {
      const user = src.config.config?.User || undefined;
      if (cache.size > 1000) cache.clear();
      cache.set(image, { at: Date.now(), user });
      return user;
    } finally {
      await src.close?.();
    }
  };
}

/** How long `serve` keeps answering after SIGTERM while its readiness fails (override: KUBEWARD_DRAIN_MS). */
const DRAIN_DELAY_MS = (() => {
  const v = Number(process.env.KUBEWARD_DRAIN_MS ?? "5000");
  return Number.isFinite(v) && v >= 0 ? v : 5000;
})();

function usage(err: unknown): never {
  if (err instanceof AdmissionError) throw new UsageError(err.message, err.code);
  throw err;
}

export function registerAdmissionCommands({ program }: CommandRoots): void {
  const admission = program
    .command("admission")
    .description(
      "admission controller: serve the webhook, review requests offline, generate install manifests",
    );
  admission.exitOverride();

  admission
    .command("serve")
    .description("serve /validate and /mutate over HTTPS (plus /healthz, /readyz, /metrics)")
    .requiredOption("--config <file>", "AdmissionConfig YAML")
    .requiredOption("--tls-cert <file>", "serving certificate (PEM); reloaded when it changes")
    .requiredOption("--tls-key <file>", "serving key (PEM); reloaded when it changes")
    .option("--port <port>", "port to listen on", "8443")
    .option("--host <host>", "address to listen on", "0.0.0.0")
    .option("--kube", "read namespace labels from the Kubernetes API (in-cluster config or kubeconfig)")
    .option("--trusted-root <file>", "Sigstore trusted root JSON for keyless signature rules")
    .option("--vuln-db <file>", "vulnerability database for vulnerability rules (default: as for scan image)")
    .action(
      async (opts: {
        trustedRoot?: string;
        vulnDb?: string;
        config: string;
        tlsCert: string;
        tlsKey: string;
        port: string;
        host: string;
        kube?: boolean;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port must be a port number, got "${opts.port}"`);
        const namespaceLabels = opts.kube
          ? cachedLabels(await kubeNamespaceLabels(), 30_000, () => Date.now())
          : undefined;
        const namespacePods = opts.kube ? await kubeNamespacePods() : undefined;
        const wire = supplyChain(opts.trustedRoot, opts.vulnDb);
        const engine = await loadEngine(opts.config, async (config) => ({
          ...(await wire(config)),
          ...(namespaceLabels ? { namespaceLabels } : {}),
          ...(namespacePods ? { namespacePods } : {}),
        })).catch(usage);
        const running = await startAdmissionServer({
          engine,
          certFile: opts.tlsCert,
          keyFile: opts.tlsKey,
          port,
          host: opts.host,
        }).catch(usage);
        process.stderr.write(
          `kubeward admission: serving https://${opts.host}:${running.port} (/validate, /mutate)\n`,
        );
        await new Promise<void>((resolve) => {
          // Endpoints are removed asynchronously: keep serving while readiness fails, then drain.
          const stop = () => void running.drain(DRAIN_DELAY_MS, 10_000).then(resolve);
          process.once("SIGTERM", stop);
          process.once("SIGINT", stop);
        });
      },
    );

  admission
    .command("review")
    .description(
      "evaluate AdmissionReviews offline and print the responses the server would send (exit 0 whatever the decision; several files print a JSON array)",
    )
    .argument("<requests...>", "AdmissionReview JSON files; - reads standard input")
    .requiredOption("--config <file>", "AdmissionConfig YAML")
    .addOption(
      new Option("--endpoint <endpoint>", "which webhook to answer as")
        .choices(["validate", "mutate"])
        .default("validate"),
    )
    .option("--trusted-root <file>", "Sigstore trusted root JSON for keyless signature rules")
    .option("--vuln-db <file>", "vulnerability database for vulnerability rules (default: as for scan image)")
    .action(
      async (
        files: string[],
        opts: { config: string; endpoint: Endpoint; trustedRoot?: string; vulnDb?: string },
      ) => {
        const engine = await loadEngine(opts.config, supplyChain(opts.trustedRoot, opts.vulnDb)).catch(usage);
        const out: Record<string, unknown>[] = [];
        for (const file of files) {
          let body: Buffer;
          try {
            body = file === "-" ? await readStdin() : await fs.readFile(file);
          } catch (err) {
            throw new UsageError(
              `cannot read AdmissionReview "${file}": ${(err as Error).message}`,
              "review-unreadable",
            );
          }
          const h = await handleReview(engine, opts.endpoint, body, file === "-" ? "standard input" : file);
          if (h.errorCode)
            throw new UsageError(String((h.payload as { message: string }).message), h.errorCode);
          out.push(h.payload);
        }
        process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
      },
    );

  admission
    .command("manifests")
    .description("generate the Namespace, RBAC, Deployment, Service, TLS material and webhook configurations")
    .option("--namespace <ns>", "namespace to install into", "kubeward")
    .option("--image <image>", "kubeward image", "ghcr.io/kubeward/kubeward:0.1.0")
    .option("--replicas <n>", "replicas", "2")
    .option("--config <file>", "AdmissionConfig to ship (default: warn-only Pod Security)")
    .addOption(
      new Option("--failure-policy <policy>", "failurePolicy of the validating webhook")
        .choices(["Fail", "Ignore"])
        .default("Fail"),
    )
    .addOption(
      new Option("--mutate-failure-policy <policy>", "failurePolicy of the mutating webhook")
        .choices(["Fail", "Ignore"])
        .default("Ignore"),
    )
    .option("--mutate", "also generate the MutatingWebhookConfiguration")
    .option("--cert-manager", "use cert-manager for the serving certificate instead of generating one")
    .option("-o, --output <dir>", "write one file per object into this directory instead of standard output")
    .action(
      async (opts: {
        namespace: string;
        image: string;
        replicas: string;
        config?: string;
        failurePolicy: "Fail" | "Ignore";
        mutateFailurePolicy: "Fail" | "Ignore";
        mutate?: boolean;
        certManager?: boolean;
        output?: string;
      }) => {
        const replicas = Number(opts.replicas);
        if (!Number.isInteger(replicas) || replicas < 1)
          throw new UsageError(`--replicas must be a whole number >= 1, got "${opts.replicas}"`);
        let bundle: Awaited<ReturnType<typeof bundleConfig>> | undefined;
        if (opts.config) {
          await loadEngine(opts.config).catch(usage); // ship only a config that loads
          bundle = await bundleConfig(opts.config).catch(usage);
        }
        const objects = admissionManifests({
          namespace: opts.namespace,
          image: opts.image,
          replicas,
          validateFailurePolicy: opts.failurePolicy,
          mutateFailurePolicy: opts.mutateFailurePolicy,
          mutate: opts.mutate === true,
          certManager: opts.certManager === true,
          ...(bundle ? { configYaml: bundle.configYaml, configFiles: bundle.files } : {}),
        });
        if (!opts.output) {
          process.stdout.write(manifestsYaml(objects));
          return;
        }
        await mkdir(opts.output, { recursive: true });
        for (const [i, o] of objects.entries()) {
          const name = `${String(i).padStart(2, "0")}-${String(o.kind).toLowerCase()}.yaml`;
          await writeFile(join(opts.output, name), manifestsYaml([o]), {
            mode: o.kind === "Secret" ? 0o600 : 0o644,
          });
        }
      },
    );
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
