import type { OsInfo } from "../core/cataloger.js";
import type { Finding, Package, Report, ScanError } from "../core/model.js";
import { buildReport } from "../core/report.js";
import { runImageChecks } from "./checks/index.js";
import { type Inventory, type InventoryOptions, inventoryImage, inventoryRootfs } from "./inventory.js";
import { parseImageRef } from "./ref.js";

/** Inventories any REF, including rootfs:DIR and a bare directory that is not an OCI layout. */
export async function inventoryAny(ref: string, opts: InventoryOptions = {}): Promise<Inventory> {
  const parsed = parseImageRef(ref);
  if (parsed.transport === "rootfs") {
    const inv = await inventoryRootfs(parsed.path, opts);
    inv.image.ref = ref;
    return inv;
  }
  return inventoryImage(ref, opts, parsed);
}

export interface ScanImageOptions extends InventoryOptions {
  /** Clock for the report and the EOL check (injected; the CLI passes the real time). */
  now?: () => Date;
  /**
   * Adds vulnerability findings for the inventory (the vulnerability layer's matcher, wired by the
   * CLI); left out, the scan reports the inventory and build checks only.
   */
  vulnerabilities?: (
    into: { findings: Finding[]; errors: ScanError[] },
    packages: readonly Package[],
    os: OsInfo | undefined,
  ) => void;
}

/** `scan image`: the contract report with `image`, `os`, `packages` and the image build-check findings. */
export async function scanImage(ref: string, opts: ScanImageOptions = {}): Promise<Report> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const inv = await inventoryAny(ref, opts);
  const findings = runImageChecks(inv, { now: startedAt });
  const errors = [...inv.errors];
  opts.vulnerabilities?.({ findings, errors }, inv.packages, inv.os);
  return buildReport({
    type: "image",
    target: ref,
    startedAt,
    finishedAt: now(),
    options: { platform: opts.platform ?? "linux/amd64" },
    findings,
    errors,
    extra: { image: inv.image, ...(inv.os ? { os: inv.os } : {}), packages: inv.packages },
  });
}
