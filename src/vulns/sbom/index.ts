import type { OsInfo } from "../../core/cataloger.js";
import type { Package, ScanError } from "../../core/model.js";
import { isRecord } from "../../core/object.js";
import { purlDistro, purlToPackage } from "./purl.js";

export interface SbomInventory {
  format: "cyclonedx" | "spdx";
  packages: Package[];
  os?: OsInfo;
  errors: ScanError[];
}

export class SbomError extends Error {
  constructor(
    readonly code: "sbom-json" | "sbom-format",
    message: string,
  ) {
    super(message);
  }
}

/** Reads a CycloneDX (1.2-1.6) or SPDX (2.2/2.3) JSON SBOM into packages. Pure: the caller reads the file. */
export function readSbom(text: string, file: string): SbomInventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SbomError("sbom-json", `${file}: not JSON (${(e as Error).message})`);
  }
  if (!isRecord(doc)) throw new SbomError("sbom-format", `${file}: an SBOM must be a JSON object`);
  if (doc.bomFormat === "CycloneDX") return readCycloneDx(doc, file);
  if (typeof doc.spdxVersion === "string") return readSpdx(doc, file);
  throw new SbomError("sbom-format", `${file}: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON`);
}

function readCycloneDx(doc: Record<string, unknown>, file: string): SbomInventory {
  const inv: SbomInventory = { format: "cyclonedx", packages: [], errors: [] };
  const visit = (list: unknown, where: string) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      inv.errors.push(shapeError(file, `${where}: not a list`));
      return;
    }
    for (const [i, c] of list.entries()) {
      const at = `${where}[${i}]`;
      if (!isRecord(c)) {
        inv.errors.push(shapeError(file, `${at}: not an object`));
        continue;
      }
      if (c.type === "operating-system" && typeof c.name === "string" && typeof c.version === "string") {
        inv.os ??= { family: c.name.toLowerCase(), version: c.version };
      } else if (typeof c.purl === "string") add(inv, c.purl, file, at, properties(c));
      else if (c.purl !== undefined) inv.errors.push(shapeError(file, `${at}.purl: not a string`));
      visit(c.components, `${at}.components`);
    }
  };
  visit(doc.components, "components");
  // The subject (an image or a root filesystem) is not a package; what it contains may be listed inside it.
  if (isRecord(doc.metadata) && isRecord(doc.metadata.component))
    visit(doc.metadata.component.components, "metadata.component.components");
  return inv;
}

function readSpdx(doc: Record<string, unknown>, file: string): SbomInventory {
  const inv: SbomInventory = { format: "spdx", packages: [], errors: [] };
  if (doc.packages !== undefined && !Array.isArray(doc.packages))
    inv.errors.push(shapeError(file, "packages: not a list"));
  const pkgs = Array.isArray(doc.packages) ? doc.packages : [];
  pkgs.forEach((p, i) => {
    if (!isRecord(p)) {
      inv.errors.push(shapeError(file, `packages[${i}]: not an object`));
      return;
    }
    if (p.externalRefs === undefined) return;
    if (!Array.isArray(p.externalRefs)) {
      inv.errors.push(shapeError(file, `packages[${i}].externalRefs: not a list`));
      return;
    }
    for (const [j, r] of p.externalRefs.entries()) {
      if (!isRecord(r)) inv.errors.push(shapeError(file, `packages[${i}].externalRefs[${j}]: not an object`));
      else if (r.referenceType !== "purl") continue;
      else if (typeof r.referenceLocator === "string") add(inv, r.referenceLocator, file, `packages[${i}]`);
      else
        inv.errors.push(
          shapeError(
            file,
            `packages[${i}].externalRefs[${j}]: a purl reference without a referenceLocator string`,
          ),
        );
    }
  });
  return inv;
}

/** A part of the SBOM that is not what the format says it is: reported, and the rest is read. */
function shapeError(file: string, message: string): ScanError {
  return { file, message, code: "sbom-shape" };
}

/** CycloneDX properties by name, with any tool prefix dropped ("kubeward:package:sourceName" → "package:sourceName"). */
function properties(c: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Array.isArray(c.properties) ? c.properties : []) {
    if (!isRecord(p) || typeof p.name !== "string" || typeof p.value !== "string") continue;
    const m = /(package:[A-Za-z]+)$/.exec(p.name);
    if (m) out.set(m[1]!, p.value);
  }
  return out;
}

function add(
  inv: SbomInventory,
  purl: string,
  file: string,
  where: string,
  props = new Map<string, string>(),
): void {
  const found = purlToPackage(purl);
  // kubeward's own SBOMs carry the source package, the file and the layer as properties.
  const p = found && {
    ...found,
    ...(props.get("package:sourceName")
      ? {
          sourceName: props.get("package:sourceName")!,
          sourceVersion: props.get("package:sourceVersion") ?? found.version,
        }
      : {}),
    ...(props.get("package:layerDigest") ? { layerDigest: props.get("package:layerDigest")! } : {}),
  };
  if (!p) {
    if (!/^pkg:[a-z]/i.test(purl))
      inv.errors.push({ file, message: `${where}: "${purl}" is not a package URL`, code: "sbom-purl" });
    return;
  }
  if (!inv.os) {
    const d = purlDistro(purl);
    if (d) inv.os = d;
  }
  inv.packages.push({ ...p, path: props.get("package:path") ?? file });
}
