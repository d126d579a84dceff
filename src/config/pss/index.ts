// Pod Security Standards: the engine (evaluatePss), the version parser and the scanner checks.
export { evaluatePss } from "./evaluate.js";
export { checksAt, PSS_CHECK_DEFS, PSS_CHECK_IDS, PSS_CHECK_MAP } from "./registry.js";
export { evaluationOf, PSS_CHECKS } from "./scanner.js";
export { pssSummary, pssViolationMessage } from "./summary.js";
export type {
  PssCheckDef,
  PssCheckId,
  PssLevel,
  PssPod,
  PssResult,
  PssScannerMeta,
  PssViolation,
} from "./types.js";
export {
  PSS_LATEST,
  PSS_LATEST_MINOR,
  PSS_LEVELS,
  PssError,
  type PssVersion,
  parsePssLevel,
  parsePssVersion,
} from "./version.js";
