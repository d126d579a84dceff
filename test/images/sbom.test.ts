import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { type Inventory, inventoryImage, inventoryRootfs } from "../../src/images/inventory.js";
import { toCycloneDx } from "../../src/images/sbom/cyclonedx.js";
import {
  isSpdxExpression,
  licenseRefsIn,
  normalizeSpdxExpression,
  spdxExceptionId,
  spdxId,
  toSpdxExpression,
} from "../../src/images/sbom/licenses.js";
import { toSpdxJson } from "../../src/images/sbom/spdx.js";
import { ensureDebianImage, SHARED } from "./helpers/debian-image.js";
import { buildImage, DEBIAN_OS_RELEASE, writeOciLayout } from "./helpers/image-builder.js";

const NOW = new Date("2026-11-27T10:00:00.123Z");
const UUID = "3e671687-395b-41f5-a30f-a58921a69b79";

// --- The SPDX 2.3 rules kubeward's output must meet ------------------------------------------------
// No npm or Debian package ships the official SPDX 2.3 JSON schema and the project may not copy it, so
// this schema restates, for every field kubeward writes, each rule the official schema sets for it:
// required fields, no fields beyond the listed ones (the official schema forbids unknown fields on
// these objects), the value sets of the enumerated fields and the shape of ids, dates and digests.
// It lists only the fields kubeward writes, so a new field fails here until it is checked against the
// specification and added. When the official schema file is at hand the documents are validated
// against it as well (see OFFICIAL_SCHEMA below).

/** yyyy-mm-ddThh:mm:ssZ in UTC, no fraction of a second (a leap second only at 23:59:60). */
const UTC_SECONDS =
  "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T(([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d|23:59:60)Z$";
const ELEMENT_ID = "^SPDXRef-[A-Za-z0-9.-]+$";

/** Every value SPDX 2.3 allows for these enumerated fields (clauses 7.10, 7.21, 7.24, 11.1). */
const CHECKSUM_ALGORITHMS = [
  ...["SHA1", "SHA224", "SHA256", "SHA384", "SHA512"],
  ...["SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3"],
  ...["MD2", "MD4", "MD5", "MD6", "ADLER32"],
];
const REFERENCE_CATEGORIES = [
  "SECURITY",
  "PACKAGE-MANAGER",
  "PACKAGE_MANAGER",
  "PERSISTENT-ID",
  "PERSISTENT_ID",
  "OTHER",
];
const PACKAGE_PURPOSES = [
  ...["APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "OPERATING-SYSTEM", "DEVICE"],
  ...["FIRMWARE", "SOURCE", "ARCHIVE", "FILE", "INSTALL", "OTHER"],
];
const RELATIONSHIP_TYPES = [
  ...["DESCRIBES", "DESCRIBED_BY", "CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF"],
  ...["DEPENDENCY_MANIFEST_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF"],
  ...["PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF", "EXAMPLE_OF", "GENERATES"],
  ...["GENERATED_FROM", "ANCESTOR_OF", "DESCENDANT_OF", "VARIANT_OF", "DISTRIBUTION_ARTIFACT", "PATCH_FOR"],
  ...["PATCH_APPLIED", "COPY_OF", "FILE_ADDED", "FILE_DELETED", "FILE_MODIFIED", "EXPANDED_FROM_ARCHIVE"],
  ...["DYNAMIC_LINK", "STATIC_LINK", "DATA_FILE_OF", "TEST_CASE_OF", "BUILD_TOOL_OF", "DEV_TOOL_OF"],
  ...["TEST_OF", "TEST_TOOL_OF", "DOCUMENTATION_OF", "OPTIONAL_COMPONENT_OF", "METAFILE_OF", "PACKAGE_OF"],
  ...["AMENDS", "PREREQUISITE_FOR", "HAS_PREREQUISITE", "REQUIREMENT_DESCRIPTION_FOR", "SPECIFICATION_FOR"],
  "OTHER",
];

const str = { type: "string" };
const SPDX_23_KUBEWARD = {
  type: "object",
  additionalProperties: false,
  required: ["spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"],
  properties: {
    spdxVersion: { const: "SPDX-2.3" },
    dataLicense: { const: "CC0-1.0" },
    SPDXID: { const: "SPDXRef-DOCUMENT" },
    name: str,
    // Clause 6.5: a unique absolute URI without a '#' part.
    documentNamespace: { type: "string", format: "uri", not: { pattern: "#" } },
    creationInfo: {
      type: "object",
      additionalProperties: false,
      required: ["created", "creators"],
      properties: {
        created: { type: "string", pattern: UTC_SECONDS },
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
        additionalProperties: false,
        required: ["SPDXID", "name", "downloadLocation"],
        properties: {
          SPDXID: { type: "string", pattern: ELEMENT_ID },
          name: str,
          versionInfo: { type: "string", minLength: 1 },
          downloadLocation: str,
          filesAnalyzed: { type: "boolean" },
          licenseConcluded: str,
          licenseDeclared: str,
          copyrightText: str,
          sourceInfo: str,
          primaryPackagePurpose: { enum: PACKAGE_PURPOSES },
          checksums: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["algorithm", "checksumValue"],
              properties: {
                algorithm: { enum: CHECKSUM_ALGORITHMS },
                // Clause 7.10: lower-case hex.
                checksumValue: { type: "string", pattern: "^[0-9a-f]+$" },
              },
            },
          },
          externalRefs: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["referenceCategory", "referenceType", "referenceLocator"],
              properties: {
                referenceCategory: { enum: REFERENCE_CATEGORIES },
                referenceType: str,
                // Clause 7.21: the locator has no spaces.
                referenceLocator: { type: "string", pattern: "^\\S+$" },
              },
            },
          },
        },
      },
    },
    relationships: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["spdxElementId", "relationshipType", "relatedSpdxElement"],
        properties: {
          spdxElementId: str,
          relationshipType: { enum: RELATIONSHIP_TYPES },
          relatedSpdxElement: str,
        },
      },
    },
    hasExtractedLicensingInfos: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["licenseId", "extractedText"],
        properties: {
          // Clause 10.1: LicenseRef- and then letters, digits, '.' and '-' only.
          licenseId: { type: "string", pattern: "^LicenseRef-[A-Za-z0-9.-]+$" },
          extractedText: { type: "string", minLength: 1 },
          name: str,
          comment: str,
        },
      },
    },
  },
};

// ajv-formats is CommonJS: its default export is the plugin function at run time
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateOwn = ajv.compile(SPDX_23_KUBEWARD);

// --- The official schema, when one is at hand ------------------------------------------------------
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OFFICIAL_SCHEMA_PLACES = [
  process.env.KUBEWARD_SPDX_SCHEMA,
  "/work/shared/spec/spdx-schema.json",
  join(SHARED, "spec", "spdx-schema.json"),
  resolve(REPO, "../shared/spec/spdx-schema.json"),
].filter((p): p is string => !!p);
if (process.env.KUBEWARD_SPDX_SCHEMA && !existsSync(process.env.KUBEWARD_SPDX_SCHEMA))
  throw new Error(`KUBEWARD_SPDX_SCHEMA=${process.env.KUBEWARD_SPDX_SCHEMA}: no such file`);
const OFFICIAL_SCHEMA = OFFICIAL_SCHEMA_PLACES.find((p) => existsSync(p));

let official: ValidateFunction | undefined;
function officialValidator(): ValidateFunction {
  if (official) return official;
  const schema = JSON.parse(readFileSync(OFFICIAL_SCHEMA!, "utf8"));
  expect(schema.title, `${OFFICIAL_SCHEMA} is not the SPDX 2.3 schema`).toMatch(/^SPDX 2\.3/);
  const compiled = new Ajv2019({ allErrors: true, strict: false }).compile(schema);
  official = compiled;
  return compiled;
}

/** Every SPDX document the tests below produce, for the official-schema pass at the end. */
const produced: { label: string; doc: SpdxDoc }[] = [];

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared: string;
  licenseConcluded: string;
  externalRefs?: { referenceLocator: string }[];
}
interface SpdxDoc {
  SPDXID: string;
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name?: string }[];
}

/** What SPDX 2.3 asks beyond the schema: unique ids, defined endpoints and LicenseRefs, real expressions. */
function checkSpdxSemantics(doc: SpdxDoc): void {
  const ids = doc.packages.map((p) => p.SPDXID);
  expect(new Set(ids).size, "SPDXIDs are unique").toBe(ids.length);
  expect(ids).not.toContain(doc.SPDXID);
  const defined = new Set([doc.SPDXID, ...ids]);
  for (const r of doc.relationships) {
    expect(defined.has(r.spdxElementId), r.spdxElementId).toBe(true);
    expect(defined.has(r.relatedSpdxElement), r.relatedSpdxElement).toBe(true);
  }
  expect(
    doc.relationships.filter((r) => r.relationshipType === "DESCRIBES" && r.spdxElementId === doc.SPDXID),
  ).not.toHaveLength(0);
  const extracted = doc.hasExtractedLicensingInfos ?? [];
  const refIds = extracted.map((e) => e.licenseId);
  // License ids compare without regard to case, so two refs must differ in more than case.
  expect(new Set(refIds.map((r) => r.toLowerCase())).size, "LicenseRef ids are unique").toBe(refIds.length);
  const used = new Set<string>();
  for (const p of doc.packages) {
    for (const field of [p.licenseDeclared, p.licenseConcluded]) {
      if (field === "NOASSERTION" || field === "NONE") continue;
      expect(normalizeSpdxExpression(field), `${p.name}: ${field}`).toBe(field);
      for (const ref of licenseRefsIn(field)) {
        expect(ref, "no DocumentRef without externalDocumentRefs").toMatch(/^LicenseRef-/);
        expect(refIds, `${p.name}: ${ref} is defined`).toContain(ref);
        used.add(ref);
      }
    }
  }
  expect([...used].sort(), "every extracted license is used").toEqual([...refIds].sort());
}

/** Validates an SPDX document of an inventory and keeps it for the official-schema pass. */
function checkSpdx(label: string, text: string, inv: Inventory): SpdxDoc {
  const doc = JSON.parse(text) as SpdxDoc;
  validateOwn(doc);
  expect(validateOwn.errors ?? [], JSON.stringify(validateOwn.errors)).toEqual([]);
  checkSpdxSemantics(doc);
  expect(doc.packages).toHaveLength(inv.packages.length + 1 + (inv.os ? 1 : 0));
  const purls = doc.packages.flatMap((p) => p.externalRefs?.map((r) => r.referenceLocator) ?? []);
  expect(purls.sort()).toEqual(
    inv.packages
      .map((p) => p.purl)
      .filter(Boolean)
      .sort(),
  );
  produced.push({ label, doc });
  return doc;
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

function declaredByName(doc: SpdxDoc): Record<string, string> {
  return Object.fromEntries(doc.packages.map((p) => [p.name, p.licenseDeclared]));
}

function extractedById(doc: SpdxDoc): Record<string, string> {
  return Object.fromEntries(
    (doc.hasExtractedLicensingInfos ?? []).map((e) => [e.licenseId, e.extractedText]),
  );
}

describe("SBOM output of the real Debian image", () => {
  let inv: Inventory;
  let img: ReturnType<typeof ensureDebianImage>;
  beforeAll(async () => {
    img = ensureDebianImage();
    inv = await inventoryImage(`oci:${img.oci}:${img.tag}`);
  });

  it("CycloneDX 1.6 validates against the official schema (strict)", async () => {
    await checkCdx(toCycloneDx(inv, { now: NOW, uuid: UUID }), inv);
  });

  it("SPDX 2.3 meets the schema rules and the id / LicenseRef rules", () => {
    const doc = checkSpdx("debian (oci)", toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
    expect(inv.packages.length).toBeGreaterThan(80);
    const declared = Object.values(declaredByName(doc));
    // Licenses on the SPDX list stay list ids even next to names that are not (Debian's "public-domain").
    expect(
      declared.some((d) => /\bLicenseRef-/.test(d) && /(^| )GPL-2\.0-(only|or-later)( |$)/.test(d)),
    ).toBe(true);
    expect(declared.join(" ")).not.toMatch(
      /LicenseRef-(GPL-2\.0-only|GPL-2\.0-or-later|MIT|BSD-3-Clause)( |$)/,
    );
  });

  it("SPDX of the same image unpacked as a root filesystem (no digest, OS from the files)", async () => {
    const rootfs = await inventoryRootfs(img.rootfs);
    const doc = checkSpdx("debian (rootfs)", toSpdxJson(rootfs, { now: NOW, uuid: UUID }), rootfs);
    expect(doc.packages[0]).toMatchObject({
      SPDXID: "SPDXRef-Subject",
      primaryPackagePurpose: "OPERATING-SYSTEM",
    });
  });

  it("`kubeward sbom --format spdx-json` writes a document that meets the same rules", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kw-sbom-cli-")), "bom.spdx.json");
    const ref = `oci:${img.oci}:${img.tag}`;
    expect(
      await main(["node", "kubeward", "sbom", ref, "--format", "spdx-json", "-o", file, "--no-progress"]),
    ).toBe(0);
    const doc = checkSpdx("debian (CLI)", readFileSync(file, "utf8"), inv);
    expect(doc.packages.map((p) => p.name)).toEqual(
      JSON.parse(toSpdxJson(inv, { now: NOW })).packages.map((p: SpdxPackage) => p.name),
    );
  });

  it("is deterministic for a given clock and uuid", () => {
    expect(toCycloneDx(inv, { now: NOW, uuid: UUID })).toBe(toCycloneDx(inv, { now: NOW, uuid: UUID }));
    expect(toSpdxJson(inv, { now: NOW, uuid: UUID })).toBe(toSpdxJson(inv, { now: NOW, uuid: UUID }));
  });
});

// The shared upstream fixtures (osv-scalibr, trivy), each placed where kubeward finds it in a root
// filesystem: lockfiles in a project folder of an OS-less tree, package databases with the release
// file of the distribution upstream's tests assume.
const SBOM_FIXTURES = join(SHARED, "conformance", "sbom");
const fixtureCases = (
  JSON.parse(readFileSync(join(SBOM_FIXTURES, "expectations.json"), "utf8")) as {
    cases: { fixture: string; format: string }[];
  }
).cases;

function placeFixture(fixture: string, format: string): Record<string, string | Buffer> {
  const data = readFileSync(join(SBOM_FIXTURES, fixture));
  if (format === "npm package-lock.json") return { "app/package-lock.json": data };
  if (format === "yarn.lock") return { "app/yarn.lock": data };
  if (format === "pnpm-lock.yaml") return { "app/pnpm-lock.yaml": data };
  if (format === "dpkg status") {
    const db = fixture.includes("status.d/") ? "var/lib/dpkg/status.d/foo" : "var/lib/dpkg/status";
    return { "etc/os-release": DEBIAN_OS_RELEASE, [db]: data };
  }
  if (format === "apk installed db")
    return { "etc/alpine-release": "3.18.0\n", "lib/apk/db/installed": data };
  if (format.startsWith("rpm database"))
    return { "etc/os-release": "ID=fedora\nVERSION_ID=32\n", "var/lib/rpm/Packages": data };
  throw new Error(`no place for ${format} fixtures`);
}

function writeTree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "kw-sbom-tree-"));
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

describe("SPDX of the shared SBOM fixtures", () => {
  it.each(fixtureCases.map((c) => [c.fixture, c.format]))("%s", async (fixture, format) => {
    const inv = await inventoryRootfs(writeTree(placeFixture(fixture, format)));
    expect(inv.packages.length).toBeGreaterThan(0);
    expect(inv.os === undefined).toBe(/lock/.test(format));
    checkSpdx(fixture, toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
  });
});

describe("SBOM licenses", () => {
  it("keeps SPDX ids and expressions, turns other names into LicenseRefs of their own", async () => {
    const apk = [
      "P:a\nV:1-r0\nA:x86_64\nL:MIT\n",
      "P:b\nV:1-r0\nA:x86_64\nL:( Apache-2.0 OR MIT ) AND MPL-2.0\n",
      "P:c\nV:1-r0\nA:x86_64\nL:MIT BSD GPL2+\n",
      "P:d\nV:1-r0\nA:x86_64\nL:Public-Domain\n",
      "P:e\nV:1-r0\nA:x86_64\nL:GPL-2.0-or-later WITH Classpath-exception-2.0\n",
      "P:f\nV:1-r0\nA:x86_64\nL:GPL2\n",
      "P:libstdc++\nV:14.2.0-r4\nA:x86_64\nL:LLVM-exception\n",
      "P:h\nV:1-r0\nA:x86_64\nL:mit OR isc\n",
      "P:i\nV:1-r0\nA:x86_64\nL:MIT WITH Bogus-exception\n",
      "P:j\nV:1-r0\nA:x86_64\nL:(MIT OR ISC) WITH Classpath-exception-2.0\n",
      "P:k\nV:1-r0\nA:x86_64\nL:LicenseRef-GPL2 OR MIT\n",
      "P:l\nV:1-r0\nA:x86_64\nL:DocumentRef-other:LicenseRef-x OR MIT\n",
      "P:m\nV:1-r0\nA:x86_64\nL:gpl2\n",
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
    const cdx = toCycloneDx(inv, { now: NOW, uuid: UUID });
    await checkCdx(cdx, inv);
    const cdxLicenses = Object.fromEntries(
      JSON.parse(cdx).components.map((c: { name: string; licenses?: unknown[] }) => [c.name, c.licenses]),
    );
    expect(cdxLicenses.h).toEqual([{ expression: "MIT OR ISC" }]);
    expect(cdxLicenses["libstdc++"]).toEqual([{ license: { name: "LLVM-exception" } }]);
    const doc = checkSpdx("alpine licenses", toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
    expect(declaredByName(doc)).toEqual({
      [`oci:${dir}:t`]: "NOASSERTION",
      alpine: "NOASSERTION",
      a: "MIT",
      b: "(Apache-2.0 OR MIT) AND MPL-2.0",
      // Only the names that are not SPDX become LicenseRefs; GPL2+ and GPL2 must not share one.
      c: "MIT AND LicenseRef-BSD AND LicenseRef-GPL2-plus",
      d: "LicenseRef-Public-Domain",
      e: "GPL-2.0-or-later WITH Classpath-exception-2.0",
      // The metadata's own LicenseRef-GPL2 keeps its id, so the name "GPL2" gets another.
      f: "LicenseRef-GPL2-2",
      // An exception is not a license by itself.
      "libstdc++": "LicenseRef-LLVM-exception",
      h: "MIT OR ISC",
      i: "LicenseRef-MIT-WITH-Bogus-exception",
      // WITH applies to one license, not to a parenthesised expression.
      j: "LicenseRef-MIT-OR-ISC-WITH-Classpath-exception-2.0",
      k: "LicenseRef-GPL2 OR MIT",
      // A DocumentRef needs an external document reference, which kubeward has none of.
      l: "LicenseRef-DocumentRef-other-LicenseRef-x-OR-MIT",
      // License ids compare without regard to case: "gpl2" gets yet another ref.
      m: "LicenseRef-gpl2-3",
    });
    expect(extractedById(doc)).toEqual({
      "LicenseRef-BSD": "BSD",
      "LicenseRef-DocumentRef-other-LicenseRef-x-OR-MIT": "DocumentRef-other:LicenseRef-x OR MIT",
      "LicenseRef-GPL2": "LicenseRef-GPL2",
      "LicenseRef-GPL2-2": "GPL2",
      "LicenseRef-GPL2-plus": "GPL2+",
      "LicenseRef-LLVM-exception": "LLVM-exception",
      "LicenseRef-MIT-OR-ISC-WITH-Classpath-exception-2.0": "(MIT OR ISC) WITH Classpath-exception-2.0",
      "LicenseRef-MIT-WITH-Bogus-exception": "MIT WITH Bogus-exception",
      "LicenseRef-Public-Domain": "Public-Domain",
      "LicenseRef-gpl2-3": "gpl2",
    });
  });

  it("odd names, versions and licenses in an OS-less root filesystem", async () => {
    const pkg = (json: Record<string, unknown>) => JSON.stringify(json);
    const dir = writeTree({
      "srv/app/node_modules/@scope/with-space/package.json": pkg({
        name: "@scope/with space",
        version: "1.0.0+build.5",
        license: "SEE LICENSE IN LICENSE.md",
      }),
      "srv/app/node_modules/unicode/package.json": pkg({
        name: "ünïcødé",
        version: "2.0.0-β",
        license: "mit",
      }),
      "srv/app/node_modules/no-version/package.json": pkg({ name: "no-version", version: "", license: "" }),
      "srv/app/node_modules/underscore-ref/package.json": pkg({
        name: "underscore-ref",
        version: "1.0.0",
        license: "LicenseRef-a_b",
      }),
      "srv/app/node_modules/old-style/package.json": pkg({
        name: "old-style",
        version: "0.1.0",
        licenses: [{ type: "MIT" }, { type: "Apache 2.0" }, { type: "MIT" }],
      }),
      "srv/app/node_modules/q/package.json": pkg({ name: "q?#&=", version: "1.0.0", license: "UNLICENSED" }),
    });
    const inv = await inventoryRootfs(dir);
    expect(inv.os).toBeUndefined();
    expect(inv.packages).toHaveLength(6);
    const doc = checkSpdx("odd npm packages", toSpdxJson(inv, { now: NOW, uuid: UUID }), inv);
    expect(doc.packages.find((p) => p.name === "no-version")).not.toHaveProperty("versionInfo");
    expect(declaredByName(doc)).toMatchObject({
      "@scope/with space": "LicenseRef-SEE-LICENSE-IN-LICENSE.md",
      ünïcødé: "MIT",
      "no-version": "NOASSERTION",
      "underscore-ref": "LicenseRef-LicenseRef-a-b",
      "old-style": "MIT AND LicenseRef-Apache-2.0",
      "q?#&=": "LicenseRef-UNLICENSED",
    });
  });

  it("splits the SPDX License List into licenses and exceptions", () => {
    expect(spdxId("mit")).toBe("MIT");
    expect(spdxId("GPL-2.0+")).toBe("GPL-2.0+");
    expect(spdxId("Classpath-exception-2.0")).toBeUndefined();
    expect(spdxId("GPL-2.0-with-classpath-exception")).toBe("GPL-2.0-with-classpath-exception");
    expect(spdxExceptionId("classpath-exception-2.0")).toBe("Classpath-exception-2.0");
    expect(spdxExceptionId("LLVM-exception")).toBe("LLVM-exception");
    expect(spdxExceptionId("MIT")).toBeUndefined();
  });

  it("validates and normalises SPDX expressions", () => {
    expect(isSpdxExpression("MIT OR (Apache-2.0 AND BSD-3-Clause)")).toBe(true);
    expect(normalizeSpdxExpression("mit or ( apache-2.0 and bsd-3-clause )")).toBe(
      "MIT OR (Apache-2.0 AND BSD-3-Clause)",
    );
    expect(normalizeSpdxExpression("LicenseRef-x WITH llvm-exception")).toBe(
      "LicenseRef-x WITH LLVM-exception",
    );
    for (const bad of [
      "MIT OR",
      "(MIT",
      "Foo License",
      "MIT And ISC",
      "MIT WITH Apache-2.0",
      "(MIT) WITH LLVM-exception",
      "LicenseRef-a_b",
      "LicenseRef-",
      "LLVM-exception",
      "",
    ])
      expect(isSpdxExpression(bad), bad).toBe(false);
    expect(licenseRefsIn("(LicenseRef-a OR MIT) AND DocumentRef-d:LicenseRef-b")).toEqual([
      "LicenseRef-a",
      "DocumentRef-d:LicenseRef-b",
    ]);
    expect(toSpdxExpression(["mit", "Apache-2.0"])).toBe("MIT AND Apache-2.0");
    expect(toSpdxExpression(["MIT OR ISC", "Zlib"])).toBe("(MIT OR ISC) AND Zlib");
    expect(toSpdxExpression(["MIT", "Foo"])).toBeUndefined();
  });
});

describe("the SPDX schema rules have teeth", () => {
  // Each change breaks one rule the official schema (or clause 10.1) sets; the rules above must see it.
  type Doc = Record<string, unknown> & { packages: Record<string, unknown>[] };
  const good = (): Doc => {
    const sample = produced.find((p) => p.label === "alpine licenses");
    if (!sample) throw new Error("the alpine licenses test did not produce its document");
    return structuredClone(sample.doc) as unknown as Doc;
  };
  const breakages: [string, (d: ReturnType<typeof good>) => void][] = [
    ["an unknown document field", (d) => Object.assign(d, { extra: 1 })],
    ["an unknown package field", (d) => Object.assign(d.packages[1]!, { colour: "red" })],
    [
      "a creation time with milliseconds",
      (d) => Object.assign(d.creationInfo as object, { created: "2026-11-27T10:00:00.123Z" }),
    ],
    ["an SPDXID with '_'", (d) => Object.assign(d.packages[1]!, { SPDXID: "SPDXRef-a_b" })],
    [
      "a relationship type SPDX does not have",
      (d) => Object.assign((d.relationships as object[])[0]!, { relationshipType: "HAS" }),
    ],
    [
      "a package purpose SPDX does not have",
      (d) => Object.assign(d.packages[1]!, { primaryPackagePurpose: "PLUGIN" }),
    ],
    [
      "a checksum algorithm SPDX does not have",
      (d) => Object.assign(d.packages[0]!, { checksums: [{ algorithm: "SHA-256", checksumValue: "ab" }] }),
    ],
    [
      "a reference category SPDX does not have",
      (d) =>
        Object.assign(d.packages[2]!, {
          externalRefs: [{ referenceCategory: "PURL", referenceType: "purl", referenceLocator: "pkg:x/y" }],
        }),
    ],
    ["a package without downloadLocation", (d) => delete d.packages[1]!.downloadLocation],
    ["no creators", (d) => Object.assign(d.creationInfo as object, { creators: [] })],
  ];
  it.each(breakages)("%s is refused", (_what, breakIt) => {
    expect(validateOwn(good())).toBe(true);
    const doc = good();
    breakIt(doc);
    expect(validateOwn(doc)).toBe(false);
    if (OFFICIAL_SCHEMA) expect(officialValidator()(doc)).toBe(false);
  });
});

// Runs after every describe above has filled `produced`.
describe.skipIf(!OFFICIAL_SCHEMA)(
  `official SPDX 2.3 JSON schema (${OFFICIAL_SCHEMA ?? "skipped: not found; set KUBEWARD_SPDX_SCHEMA=path or put it at ../shared/spec/spdx-schema.json"})`,
  () => {
    it("every SPDX document above validates against it with no errors", () => {
      const validate = officialValidator();
      const failures: string[] = [];
      for (const { label, doc } of produced)
        if (!validate(doc)) failures.push(`${label}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
      expect(failures).toEqual([]);
      expect(produced.length).toBeGreaterThanOrEqual(fixtureCases.length + 4);
      const packages = produced.reduce((n, p) => n + p.doc.packages.length, 0);
      console.info(`official SPDX 2.3 schema: ${produced.length} documents, ${packages} packages, 0 errors`);
    });
  },
);

afterAll(() => {
  if (!OFFICIAL_SCHEMA)
    console.info(
      "SPDX: checked against the project's own SPDX 2.3 rules only; no official schema file was found " +
        "(KUBEWARD_SPDX_SCHEMA, ../shared/spec/spdx-schema.json).",
    );
});
