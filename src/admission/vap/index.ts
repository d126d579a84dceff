// Public API of the ValidatingAdmissionPolicy evaluator, also used by `scan manifests --policy`.
export { vapFindings } from "./findings.js";
export { type LoadedPolicies, loadParamFiles, loadPolicyFiles } from "./load.js";
