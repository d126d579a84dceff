import { type Command, Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { addOutputOptions, emitReport, writeOutputFile } from "../cli/output.js";
import { progressBar } from "../cli/progress.js";
import { attestScanOutput } from "../signing/index.js";
import {
  addVulnerabilityFindings,
  addVulnOptions,
  checkDbFreshness,
  type VulnCliOptions,
  vulnOpts,
} from "../vulns/index.js";
import { IMAGE_CHECKS } from "./checks/index.js";
import { ImageError } from "./errors.js";
import type { InventoryOptions } from "./inventory.js";
import { parseImageRef } from "./ref.js";
import { toCycloneDx } from "./sbom/cyclonedx.js";
import { toSpdxJson } from "./sbom/spdx.js";
import { inventoryAny, scanImage } from "./scan.js";
import type { WalkProgress } from "./walker.js";

interface ImageCliOptions {
  skipVulns?: boolean;
  attest?: boolean;
  key?: string;
  platform?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  insecure?: boolean;
  progress?: boolean;
}

function addAttestOptions(cmd: Command): Command {
  return cmd
    .option(
      "--attest",
      "also sign the output as an in-toto attestation of the image and push it (cosign's .att)",
    )
    .option(
      "--key <file>",
      "private key for --attest (cosign format; password from COSIGN_PASSWORD or a prompt)",
    );
}

/** The registry reference an attestation is pushed to; local sources have nowhere to push it. */
function attestTarget(ref: string, o: ImageCliOptions): string | undefined {
  if (!o.attest) return undefined;
  if (!o.key) throw new UsageError("--attest needs --key FILE", "attest-key-missing");
  const parsed = parseImageRef(ref);
  if (parsed.transport !== "docker") {
    throw new UsageError(
      `--attest needs a registry image, not ${parsed.transport}: ${ref}`,
      "attest-not-registry",
    );
  }
  return ref.replace(/^docker:\/\//, "");
}

async function attestOutput(
  image: string,
  o: ImageCliOptions,
  base: InventoryOptions,
  type: "cyclonedx" | "spdxjson" | "vuln",
  content: string,
): Promise<void> {
  const r = await attestScanOutput(image, {
    keyFile: o.key!,
    type,
    content,
    ...(base.registry ? { registry: base.registry } : {}),
  });
  process.stderr.write(`kubeward: attestation (${r.predicateType}) pushed for ${image}@${r.digest}\n`);
}

function addImageOptions(cmd: Command): Command {
  return cmd
    .option("--platform <os/arch[/variant]>", "platform to pick from a multi-platform image", "linux/amd64")
    .option("--username <user>", "registry user name (else ~/.docker/config.json, credential helpers)")
    .option("--password <password>", "registry password or token (prefer --password-stdin)")
    .option("--password-stdin", "read the registry password from standard input")
    .option("--insecure", "allow plain HTTP to a registry that is not on loopback")
    .option("--no-progress", "no progress bar on stderr");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** The CLI's progress bar while layers stream in, one layer after another (only on a terminal). */
function progress(enabled: boolean): { onProgress?: (p: WalkProgress) => void; stop(): void } {
  const bar = progressBar({ enabled });
  if (!bar) return { stop() {} };
  let current = -1;
  return {
    onProgress(p) {
      if (p.layer !== current) {
        bar.start(`layer ${p.layer + 1}/${p.layers}`, p.total);
        current = p.layer;
      }
      bar.update(p.bytes, p.total);
    },
    stop: () => bar.stop(),
  };
}

async function inventoryOptions(o: ImageCliOptions): Promise<InventoryOptions> {
  const password = o.passwordStdin ? await readStdin() : o.password;
  return {
    ...(o.platform ? { platform: o.platform } : {}),
    registry: {
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(o.insecure ? { insecure: true } : {}),
    },
  };
}

/** Image errors end the command with exit 2 and "[code] reason". */
function asUsage(err: unknown): never {
  if (err instanceof ImageError) throw new UsageError(`[${err.code}] ${err.message}`, err.code);
  throw err;
}

export function registerImageCommands({ program, scan }: CommandRoots): void {
  const scanCmd = scan
    .command("image")
    .description(
      "inventory a container image (registry, OCI layout, docker/oci archive, root filesystem) and check how it was built",
    )
    .argument(
      "<ref>",
      "docker://NAME[:TAG|@DIGEST] (default), oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, rootfs:DIR, or a path",
    );
  scanCmd.option(
    "--skip-vulns",
    "inventory and build checks only: no vulnerability matching (needs no database)",
  );
  addOutputOptions(addVulnOptions(addAttestOptions(addImageOptions(scanCmd)))).action(
    async (ref: string, o: ImageCliOptions & VulnCliOptions) => {
      const attestTo = attestTarget(ref, o);
      const vuln = o.skipVulns ? undefined : vulnOpts(o);
      // Fail before pulling anything when there is no database (exit 2 with a hint).
      if (vuln) checkDbFreshness(vuln.dbPath, vuln.now());
      const bar = progress(o.progress !== false);
      try {
        const base = await inventoryOptions(o);
        const report = await scanImage(ref, {
          ...base,
          ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
          ...(vuln
            ? { vulnerabilities: (into, packages, os) => addVulnerabilityFindings(into, packages, os, vuln) }
            : {}),
        });
        bar.stop();
        process.exitCode = emitReport(report, o, IMAGE_CHECKS);
        // The attestation carries the whole report (cosign's vuln predicate), whatever --format showed.
        if (attestTo) await attestOutput(attestTo, o, base, "vuln", JSON.stringify(report));
      } catch (err) {
        bar.stop();
        asUsage(err);
      }
    },
  );

  const sbomCmd = program
    .command("sbom")
    .description("write a software bill of materials of an image or root filesystem")
    .argument("<ref>", "image reference (as for scan image)")
    .addOption(
      new Option("--format <format>", "SBOM format").choices(["cyclonedx", "spdx-json"]).default("cyclonedx"),
    )
    .option("-o, --output <file>", "write the SBOM to FILE instead of stdout");
  addAttestOptions(addImageOptions(sbomCmd)).action(
    async (ref: string, o: ImageCliOptions & { format: string; output?: string }) => {
      const attestTo = attestTarget(ref, o);
      const bar = progress(o.progress !== false);
      try {
        const base = await inventoryOptions(o);
        const inv = await inventoryAny(ref, {
          ...base,
          ...(bar.onProgress ? { onProgress: bar.onProgress } : {}),
        });
        bar.stop();
        for (const e of inv.errors)
          process.stderr.write(`kubeward: ${e.file ? `${e.file}: ` : ""}${e.message}\n`);
        const text =
          o.format === "spdx-json"
            ? toSpdxJson(inv, { now: new Date() })
            : toCycloneDx(inv, { now: new Date() });
        if (o.output) writeOutputFile(o.output, text);
        else process.stdout.write(text);
        if (attestTo)
          await attestOutput(attestTo, o, base, o.format === "spdx-json" ? "spdxjson" : "cyclonedx", text);
      } catch (err) {
        bar.stop();
        asUsage(err);
      }
    },
  );
}
