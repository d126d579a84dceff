// The signing layer's public API: the admission controller's verifier, and the functions the CLI
// and the image commands (sbom --attest, scan image --attest) call.
import type { RegistryOptions } from "../images/registry/client.js";
import { type AttestResult, attestImage } from "./attest.js";
import { loadPrivateKeyFile } from "./keys.js";
import type { PasswordSource } from "./password.js";

export { type AttestOptions, type AttestResult, attestImage, verifyAttestations } from "./attest.js";
export { keyBundle, loadTrustedRoot, verifyBundleFor, verifyImageBundles } from "./bundle.js";
export { registerSigningCommands } from "./cli.js";
export { SigningError, type SigningErrorCode } from "./errors.js";
export {
  generateEcdsaKey,
  importPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  publicKeyPem,
  writeKeyPair,
} from "./keys.js";
export { PREDICATE_TYPES, predicateTypeUri } from "./predicates.js";
export { signImage, signImageBundle } from "./sign.js";
export { type CosignVerifier, type CosignVerifierOptions, createCosignVerifier } from "./verifier.js";
export { verifyImageSignatures } from "./verify.js";

/**
 * For `kubeward sbom --attest` and `scan image --attest`: signs what the command produced as an
 * attestation of the image. `type` is "cyclonedx" or "spdxjson" for SBOMs and "vuln" for a kubeward
 * report (wrapped in cosign's vulnerability predicate). The key password comes from COSIGN_PASSWORD
 * or a terminal prompt unless `password` is given.
 */
export async function attestScanOutput(
  image: string,
  opts: {
    keyFile: string;
    type: "cyclonedx" | "spdxjson" | "vuln";
    /** The SBOM or report exactly as written (JSON). */
    content: string | Buffer;
    registry?: RegistryOptions;
    password?: PasswordSource;
    now?: Date;
  },
): Promise<AttestResult> {
  const key = await loadPrivateKeyFile(opts.keyFile, opts.password);
  return attestImage(image, {
    key,
    type: opts.type,
    predicate: Buffer.isBuffer(opts.content) ? opts.content : Buffer.from(opts.content),
    predicateName: `${opts.type} output`,
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
}
