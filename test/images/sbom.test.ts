import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { type Inventory, inventoryImage } from "../../src/images/inventory.js";
import { toCycloneDx } from "../../src/images/sbom/cyclonedx.js";
import { isSpdxExpression, toSpdxExpression } from "../../src/images/sbom/licenses.js";
import { toSpdxJson } from "../../src/images/sbom/spdx.js";
import { ensureDebianImage } from "./helpers/debian-image.js";
import { buildImage, writeOciLayout } from "./helpers/image-builder.js";

const NOW = new Date("2026-11-27T10:00:00.123Z");
const UUID = "3e671687-395b-41f5-a30f-a58921a69b79";

// No npm (or Debian) package ships the official SPDX 2.3 document schema, so this test checks the
// document against the required fields and formats of the SPDX 2.3 specification, written down here.
const SPDX_23_REQUIRED = {
  type: "object",
  required: ["spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"],
  properties: {
    spdxVersion: { const: "SPDX-2.3" },
    dataLicense: { const: "CC0-1.0" },
    SPDXID: { const: "SPDXRef-DOCUMENT" },
    documentNamespace: { type: "string", format: "uri", not: { pattern: "#" } },
    creationInfo: {
      type: "object",
      required: ["created", "creators"],
      properties: {
        created: { type: "string", pattern: "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$" },
        creators: {
          type: "array",
          minItems: 1,
          items: { type: "string", pattern: "^(Tool|Person|Organization): .+" },
        },
      },
    },
    packages: {
      type: "array",
      items: {
        type: "object",
        required: ["SPDXID", "name", "downloadLocation"],
        properties: {
          SPDXID: { type: "string", pattern: "^SPDXRef-[A-Za-z0-9.-]+$" },
          primaryPackagePurpose: {
            enum: [
              "APPLICATION",
              "FRAMEWORK",
              "LIBRARY",
              "CONTAINER",
              "OPERATING-SYSTEM",
              "DEVICE",
              "FIRMWARE",
              "SOURCE",
              "ARCHIVE",
              "FILE",
              "INSTALL",
              "OTHER",
            ],
          },
          externalRefs: {
            type: "array",
            items: {
              type: "object",
              required: ["referenceCategory", "referenceType", "referenceLocator"],
              properties: {
                referenceCategory: { enum: ["SECURITY", "PACKAGE-MANAGER", "PERSISTENT-ID", "OTHER"] },
              },
            },
          },
        },
      },
    },
    relationships: {
      type: "array",
      items: { type: "object", required: ["spdxElementId", "relationshipType", "relatedSpdxElement"] },
    },
  },
};

function checkSpdx(text: string, inv: Inventory): void {
  const doc = JSON.parse(text);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const ok = ajv.validate(SPDX_23_REQUIRED, doc);
  expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
  expect(ok).toBe(true);
  const ids = new Set(doc.packages.map((p: { SPDXID: string }) => p.SPDXID));
  expect(ids.size).toBe(doc.packages.length);
  for (const r of doc.relationships) {
    expect(r.spdxElementId === "SPDXRef-DOCUMENT" || ids.has(r.spdxElementId)).toBe(true);
    expect(ids.has(r.relatedSpdxElement)).toBe(true);
  }
  const refs = new Set((doc.hasExtractedLicensingInfos ?? []).map((e: { licenseId: string }) => e.licenseId));
  for (const p of doc.packages) {
    if (p.licenseDeclared === "NOASSERTION") continue;
    expect(isSpdxExpression(p.licenseDeclared), p.licenseDeclared).toBe(true);
    for (const ref of p.licenseDeclared.match(/LicenseRef-[\w.-]+/g) ?? []) expect(refs.has(ref)).toBe(true);
  }
  const purls = doc.packages.flatMap(
    (p: { externalRefs?: { referenceLocator: string }[] }) =>
      p.externalRefs?.map((r) => r.referenceLocator) ?? [],
  );
  expect(purls.sort()).toEqual(
    inv.packages
      .map((p) => p.purl)
      .filter(Boolean)
      .sort(),
  );
}

async function checkCdx(text: string, inv: Inventory): Promise<void> {
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  expect(await validator.validate(text)).toBeNull();
  const bom = JSON.parse(text);
  expect(bom.specVersion).toBe("1.6");
  expect(bom.serialNumber).toBe(`urn:uuid:${UUID}`);
  expect(bom.metadata.timestamp).toBe("2026-11-27T10:00:00.123Z");
  const libs = bom.components.filter((c: { type: string }) => c.type === "library");
  expect(libs).toHaveLength(inv.packages.length);
  expect(
    libs
      .map((c: { purl?: string }) => c.purl)
      .filter(Boolean)
      .sort(),
  ).toEqual(
    inv.packages
      .map((p) => p.purl)
      .filter(Boolean)
      .sort(),
  );
}

describe("SBOM output of the real Debian image", () => {
  let inv: Inventory;
  beforeAll(async () => {
    const img = ensureDebianImage();
    inv = await inventoryImage(`oci:${img.oci}:${img.tag}`);
  });

  it("CycloneDX 1.6 validates against the official schema (strict)", async () => {
    await checkCdx(toCycloneDx(inv, { now: NOW, uuid: UUID }), inv);
  });

  it("SPDX 2.3 has every required field and consistent ids", () => {
    checkSpdx(toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
  });

  it("is deterministic for a given clock and uuid", () => {
    expect(toCycloneDx(inv, { now: NOW, uuid: UUID })).toBe(toCycloneDx(inv, { now: NOW, uuid: UUID }));
    expect(toSpdxJson(inv, { now: NOW, uuid: UUID })).toBe(toSpdxJson(inv, { now: NOW, uuid: UUID }));
  });
});

describe("SBOM licenses", () => {
  it("keeps SPDX ids and expressions, turns other names into named licenses / LicenseRefs", async () => {
    const apk = [
      "P:a\nV:1-r0\nA:x86_64\nL:MIT\n",
      "P:b\nV:1-r0\nA:x86_64\nL:( Apache-2.0 OR MIT ) AND MPL-2.0\n",
      "P:c\nV:1-r0\nA:x86_64\nL:MIT BSD GPL2+\n",
      "P:d\nV:1-r0\nA:x86_64\nL:Public-Domain\n",
      "P:e\nV:1-r0\nA:x86_64\nL:GPL-2.0-or-later WITH Classpath-exception-2.0\n",
    ].join("\n");
    const img = await buildImage({
      layers: [
        [
          { name: "etc/alpine-release", data: "3.20.3\n" },
          { name: "lib/apk/db/installed", data: apk },
        ],
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "kw-sbom-"));
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    expect(inv.os).toEqual({ family: "alpine", version: "3.20.3" });
    await checkCdx(toCycloneDx(inv, { now: NOW, uuid: UUID }), inv);
    checkSpdx(toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
    const spdx = JSON.parse(toSpdxJson(inv, { now: NOW, uuid: UUID }));
    const declared = Object.fromEntries(
      spdx.packages.map((p: { name: string; licenseDeclared: string }) => [p.name, p.licenseDeclared]),
    );
    expect(declared).toMatchObject({
      a: "MIT",
      b: "( Apache-2.0 OR MIT ) AND MPL-2.0",
      c: "LicenseRef-MIT AND LicenseRef-BSD AND LicenseRef-GPL2",
      d: "LicenseRef-Public-Domain",
      e: "GPL-2.0-or-later WITH Classpath-exception-2.0",
    });
  });

  it("validates SPDX expressions", () => {
    expect(isSpdxExpression("MIT OR (Apache-2.0 AND BSD-3-Clause)")).toBe(true);
    expect(isSpdxExpression("MIT OR")).toBe(false);
    expect(isSpdxExpression("(MIT")).toBe(false);
    expect(isSpdxExpression("Foo License")).toBe(false);
    expect(toSpdxExpression(["mit", "Apache-2.0"])).toBe("MIT AND Apache-2.0");
  });
});
