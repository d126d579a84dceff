// Public API of the ValidatingAdmissionPolicy evaluator, also used by `scan manifests --policy`.
export { vapFindings } from "./findings.js";
export {
  type LoadedPolicies,
  type LoadProblem,
  loadParamFiles,
  loadPoliciesKeepingGood,
  loadPolicyFiles,
} from "./load.js";
