import type { Report } from "../core/model.js";
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
  return inventoryImage(ref, opts);
}

export interface ScanImageOptions extends InventoryOptions {
  /** Clock for the report and the EOL check (injected; the CLI passes the real time). */
  now?: () => Date;
}

/** `scan image`: the contract report with `image`, `os`, `packages` and the image build-check findings. */
export async function scanImage(ref: string, opts: ScanImageOptions = {}): Promise<Report> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const inv = await inventoryAny(ref, opts);
  const findings = runImageChecks(inv, { now: startedAt });
  return buildReport({
    type: "image",
    target: ref,
    startedAt,
    finishedAt: now(),
    options: { platform: opts.platform ?? "linux/amd64" },
    findings,
    errors: inv.errors,
    extra: { image: inv.image, ...(inv.os ? { os: inv.os } : {}), packages: inv.packages },
  });
}
