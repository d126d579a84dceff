import { randomUUID } from "node:crypto";
import { TOOL_NAME, TOOL_VERSION } from "../../core/model.js";
import type { Inventory } from "../inventory.js";
import type { SbomOptions } from "./cyclonedx.js";
import { licenseRefsIn, normalizeSpdxExpression } from "./licenses.js";

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
function idPart(s: string, fallback = "x"): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || fallback;
}

/** A package's declared licenses: SPDX expressions (canonical form) and names that are not SPDX. */
type LicensePart = { expr: string } | { text: string };

function licenseParts(licenses: readonly string[] | undefined): LicensePart[] {
  const parts: LicensePart[] = [];
  for (const raw of new Set((licenses ?? []).map((l) => l.trim()).filter(Boolean))) {
    const expr = normalizeSpdxExpression(raw);
    // A DocumentRef would need an externalDocumentRefs entry naming that document, which kubeward cannot give.
    parts.push(expr && !expr.includes("DocumentRef-") ? { expr } : { text: raw });
  }
  return parts;
}

interface ExtractedLicense {
  licenseId: string;
  extractedText: string;
  name: string;
  comment: string;
}

/**
 * The document's LicenseRefs. Every one used in a license field gets a hasExtractedLicensingInfos
 * entry. Refs that package metadata names itself keep their id; a license name that is not SPDX gets
 * a ref made from it, unique to that name (GPL2 and GPL2+ must not share one).
 */
class LicenseRefs {
  private readonly byId = new Map<string, ExtractedLicense>();
  private readonly idByText = new Map<string, string>();
  /** Lower-cased ids taken: SPDX matches license ids without regard to case. */
  private readonly taken = new Set<string>();

  constructor(named: Iterable<string>) {
    for (const id of named) {
      this.taken.add(id.toLowerCase());
      this.byId.set(id, {
        licenseId: id,
        extractedText: id,
        name: id,
        comment: "LicenseRef named by the package metadata; kubeward did not extract its text.",
      });
    }
  }

  forText(text: string): string {
    const known = this.idByText.get(text);
    if (known) return known;
    const base = `LicenseRef-${idPart(text.replace(/\+/g, "-plus-"), "unnamed")}`;
    let id = base;
    for (let n = 2; this.taken.has(id.toLowerCase()); n++) id = `${base}-${n}`;
    this.taken.add(id.toLowerCase());
    this.idByText.set(text, id);
    this.byId.set(id, {
      licenseId: id,
      extractedText: text,
      name: text,
      comment: "License name declared by the package metadata that is not an SPDX license expression.",
    });
    return id;
  }

  entries(): ExtractedLicense[] {
    return [...this.byId.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
  }
}

const CHECKSUM_ALGORITHMS: Record<string, string> = { sha256: "SHA256", sha384: "SHA384", sha512: "SHA512" };

/** The image digest ("sha256:hex") as an SPDX checksum, when its algorithm is one SPDX names. */
function digestChecksum(digest: string | undefined): { algorithm: string; checksumValue: string }[] {
  const m = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest ?? "");
  const algorithm = m && CHECKSUM_ALGORITHMS[m[1]!];
  return algorithm ? [{ algorithm, checksumValue: m[2]! }] : [];
}

/** Builds an SPDX 2.3 JSON document of an inventory. */
export function toSpdxJson(inv: Inventory, opts: SbomOptions): string {
  const uuid = opts.uuid ?? randomUUID();
  const name = inv.image.ref;
  const created = opts.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const licensesByPackage = inv.packages.map((p) => licenseParts(p.licenses));
  const refs = new LicenseRefs(
    licensesByPackage.flatMap((parts) => parts.flatMap((l) => ("expr" in l ? licenseRefsIn(l.expr) : []))),
  );
  const checksums = digestChecksum(inv.image.digest);
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
    ...(checksums.length ? { checksums } : {}),
  };
  const packages: SpdxPackage[] = [subject];
  const relationships = [
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: subjectId },
  ];
  if (inv.os) {
    packages.push({
      SPDXID: "SPDXRef-OperatingSystem",
      name: inv.os.family,
      ...(inv.os.version ? { versionInfo: inv.os.version } : {}),
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
    const parts = licensesByPackage[i]!.map((l) => {
      if ("text" in l) return refs.forText(l.text);
      return licensesByPackage[i]!.length > 1 && /\s/.test(l.expr) ? `(${l.expr})` : l.expr;
    });
    const declared = parts.length ? [...new Set(parts)].join(" AND ") : undefined;
    packages.push({
      SPDXID: id,
      name: p.name,
      ...(p.version ? { versionInfo: p.version } : {}),
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
  const extracted = refs.entries();
  const doc = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name,
    documentNamespace: `https://kubeward.invalid/spdx/${encodeURIComponent(idPart(name))}-${uuid}`,
    creationInfo: { created, creators: [`Tool: ${TOOL_NAME}-${TOOL_VERSION}`] },
    packages,
    relationships,
    ...(extracted.length ? { hasExtractedLicensingInfos: extracted } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
