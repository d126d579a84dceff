// The kubeward admission rule families, registered explicitly (one module per family).
import { checksFamily } from "./checks.js";
import { imagesFamily } from "./images.js";
import { resourcesFamily } from "./resources.js";
import { signaturesFamily } from "./signatures.js";
import type { AdmissionRuleFamily } from "./types.js";
import { vulnerabilitiesFamily } from "./vulnerabilities.js";

export const RULE_FAMILIES: Readonly<Record<string, AdmissionRuleFamily>> = {
  checks: checksFamily,
  images: imagesFamily,
  resources: resourcesFamily,
  signatures: signaturesFamily,
  vulnerabilities: vulnerabilitiesFamily,
};

export type { AdmissionRuleFamily, RuleContext, RuleHit, SupplyChainGates } from "./types.js";
