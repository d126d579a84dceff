// Public API of the vulnerability layer (what other layers and the CLI import).
export { addVulnOptions, checkDbFreshness, type VulnCliOptions, vulnOpts } from "./cli.js";
export { VulnDb } from "./db/store.js";
export { importPath } from "./importers/index.js";
export { matchPackages } from "./match/matcher.js";
export { addVulnerabilityFindings, defaultDbPath, scanFs, scanSbom, type VulnScanOptions } from "./scan.js";
