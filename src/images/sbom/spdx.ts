import { randomUUID } from "node:crypto";
import { TOOL_NAME, TOOL_VERSION } from "../../core/model.js";
import type { Inventory } from "../inventory.js";
import type { SbomOptions } from "./cyclonedx.js";
import { toSpdxExpression } from "./licenses.js";

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  primaryPackagePurpose?: string;
  sourceInfo?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  checksums?: { algorithm: string; checksumValue: string }[];
}

/** SPDX ids allow letters, digits, '.' and '-'. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || "x";
}

/** Builds an SPDX 2.3 JSON document of an inventory. */
export function toSpdxJson(inv: Inventory, opts: SbomOptions): string {
  const uuid = opts.uuid ?? randomUUID();
  const name = inv.image.ref;
  const created = opts.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const extracted = new Map<string, string>();
  const subjectId = "SPDXRef-Subject";
  const subject: SpdxPackage = {
    SPDXID: subjectId,
    name,
    ...(inv.image.digest ? { versionInfo: inv.image.digest } : {}),
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    primaryPackagePurpose: inv.image.transport === "rootfs" ? "OPERATING-SYSTEM" : "CONTAINER",
    ...(inv.image.digest?.startsWith("sha256:")
      ? { checksums: [{ algorithm: "SHA256", checksumValue: inv.image.digest.slice(7) }] }
      : {}),
  };
  const packages: SpdxPackage[] = [subject];
  const relationships = [
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: subjectId },
  ];
  if (inv.os) {
    packages.push({
      SPDXID: "SPDXRef-OperatingSystem",
      name: inv.os.family,
      versionInfo: inv.os.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "NOASSERTION",
      copyrightText: "NOASSERTION",
      primaryPackagePurpose: "OPERATING-SYSTEM",
    });
    relationships.push({
      spdxElementId: subjectId,
      relationshipType: "CONTAINS",
      relatedSpdxElement: "SPDXRef-OperatingSystem",
    });
  }
  inv.packages.forEach((p, i) => {
    const id = `SPDXRef-Package-${i}-${idPart(p.ecosystem)}-${idPart(p.name)}`;
    let declared = toSpdxExpression(p.licenses);
    if (!declared && p.licenses?.length) {
      // Licenses that are not SPDX expressions become LicenseRefs whose text is the declared value.
      declared = p.licenses
        .map((l) => {
          const ref = `LicenseRef-${idPart(l)}`;
          extracted.set(ref, l);
          return ref;
        })
        .join(" AND ");
    }
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: declared ?? "NOASSERTION",
      copyrightText: "NOASSERTION",
      primaryPackagePurpose: "LIBRARY",
      ...(p.path
        ? {
            sourceInfo: `${p.ecosystem} package found at /${p.path}${p.layerDigest ? ` in layer ${p.layerDigest}` : ""}`,
          }
        : {}),
      ...(p.purl
        ? {
            externalRefs: [
              { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: p.purl },
            ],
          }
        : {}),
    });
    relationships.push({ spdxElementId: subjectId, relationshipType: "CONTAINS", relatedSpdxElement: id });
  });
  const doc = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name,
    documentNamespace: `https://kubeward.invalid/spdx/${encodeURIComponent(idPart(name))}-${uuid}`,
    creationInfo: { created, creators: [`Tool: ${TOOL_NAME}-${TOOL_VERSION}`] },
    packages,
    relationships,
    ...(extracted.size
      ? {
          hasExtractedLicensingInfos: [...extracted].map(([licenseId, text]) => ({
            licenseId,
            extractedText: text,
            name: text,
          })),
        }
      : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
