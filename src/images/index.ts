// Public API of the image layer (what other layers import).
export type { OsInfo } from "../core/cataloger.js";
export { CATALOGERS } from "./catalogers/index.js";
export { npmCataloger } from "./catalogers/npm.js";
export { parsePnpmLock } from "./catalogers/pnpm.js";
export { isPythonMetadata, parsePythonMetadata } from "./catalogers/python.js";
export type { ImageCataloger } from "./catalogers/types.js";
export { parseYarnLock } from "./catalogers/yarn.js";
export { IMAGE_CHECKS, runImageChecks } from "./checks/index.js";
export type { ImageCheck, ImageFacts } from "./checks/types.js";
export { DOCKERFILE_CHECKS, isDockerfileName, runDockerfileChecks } from "./dockerfile/checks/index.js";
export { ImageError, type ImageErrorCode } from "./errors.js";
export {
  type Inventory,
  type InventoryOptions,
  inventoryImage,
  inventoryRootfs,
  openImage,
} from "./inventory.js";
export { detectOs, parseOsRelease } from "./os-release.js";
export { osEcosystem, purlFor } from "./purl.js";
export { parseImageRef } from "./ref.js";
export type { RegistryOptions } from "./registry/client.js";
export { toCycloneDx } from "./sbom/cyclonedx.js";
export { toSpdxJson } from "./sbom/spdx.js";
export { inventoryAny, scanImage } from "./scan.js";
export type { ImageMetadata } from "./types.js";
