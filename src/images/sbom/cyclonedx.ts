import { randomUUID } from "node:crypto";
import { Enums, Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import type { Package } from "../../core/model.js";
import { TOOL_NAME, TOOL_VERSION } from "../../core/model.js";
import type { Inventory } from "../inventory.js";
import { normalizeSpdxExpression, spdxId } from "./licenses.js";

export interface SbomOptions {
  /** Document creation time (injected: the SBOM writers never read the clock). */
  now: Date;
  /** Serial number / document namespace id; random when not given. */
  uuid?: string;
}

function licensesOf(p: Package): Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  const list = p.licenses ?? [];
  const expression = list.length === 1 && !spdxId(list[0]!) ? normalizeSpdxExpression(list[0]!) : undefined;
  if (expression) {
    repo.add(new Models.LicenseExpression(expression));
    return repo;
  }
  for (const l of list) {
    const id = spdxId(l);
    repo.add(id && !id.endsWith("+") ? new Models.SpdxLicense(id) : new Models.NamedLicense(l));
  }
  return repo;
}

function prop(name: string, value: string | undefined): Models.Property[] {
  return value ? [new Models.Property(`kubeward:${name}`, value)] : [];
}

/** Builds a CycloneDX 1.6 BOM (JSON) of an inventory with @cyclonedx/cyclonedx-library. */
export function toCycloneDx(inv: Inventory, opts: SbomOptions): string {
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${opts.uuid ?? randomUUID()}` });
  bom.metadata.timestamp = opts.now;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, TOOL_NAME, { version: TOOL_VERSION }),
  );
  const isRootfs = inv.image.transport === "rootfs";
  const subject = new Models.Component(
    isRootfs ? Enums.ComponentType.OperatingSystem : Enums.ComponentType.Container,
    inv.image.ref,
    {
      bomRef: "subject",
      ...(inv.image.digest ? { version: inv.image.digest } : {}),
      properties: new Models.PropertyRepository([
        ...prop("image:transport", inv.image.transport),
        ...prop("image:os", inv.image.os),
        ...prop("image:architecture", inv.image.architecture),
        ...prop("image:configDigest", inv.image.configDigest),
      ]),
    },
  );
  bom.metadata.component = subject;
  if (inv.os) {
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, inv.os.family, {
      bomRef: "os",
      version: inv.os.version,
      ...(inv.os.name ? { description: inv.os.name } : {}),
    });
    bom.components.add(os);
    subject.dependencies.add(os.bomRef);
  }
  inv.packages.forEach((p, i) => {
    const c = new Models.Component(Enums.ComponentType.Library, p.name, {
      bomRef: `pkg-${i}`,
      version: p.version,
      ...(p.purl ? { purl: p.purl as unknown as Models.Component["purl"] } : {}),
      licenses: licensesOf(p),
      properties: new Models.PropertyRepository([
        ...prop("package:ecosystem", p.ecosystem),
        ...prop("package:path", p.path),
        ...prop("package:layerDigest", p.layerDigest),
        ...(p.sourceName && (p.sourceName !== p.name || p.sourceVersion !== p.version)
          ? [...prop("package:sourceName", p.sourceName), ...prop("package:sourceVersion", p.sourceVersion)]
          : []),
      ]),
    });
    bom.components.add(c);
    subject.dependencies.add(c.bomRef);
  });
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}
