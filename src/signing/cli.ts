// kubeward keygen / import-key-pair / sign / verify / attest / verify-attestation (cosign-compatible).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { ImageError } from "../images/errors.js";
import type { RegistryOptions } from "../images/registry/client.js";
import { attestImage, verifyResolvedAttestations } from "./attest.js";
import { COSIGN_SIGN_PREDICATE, loadTrustedRoot, verifyImageBundles } from "./bundle.js";
import { SigningError } from "./errors.js";
import { hasIdentityPolicy, type IdentityPolicy } from "./identity.js";
import {
  generateEcdsaKey,
  importPrivateKey,
  type KeyPairFiles,
  keyId,
  loadPrivateKeyFile,
  loadPublicKey,
  writeKeyPair,
} from "./keys.js";
import { passwordFrom } from "./password.js";
import { predicateTypeUri } from "./predicates.js";
import { type ResolvedImage, resolveImage } from "./resolve.js";
import { signImage, signImageBundle } from "./sign.js";
import { keyFromCertificate, type TrustedKey, verifyResolved } from "./verify.js";

/** Exit code of a verification that found no valid signature (cosign exits 1 too). */
export const EXIT_NOT_VERIFIED = 1;

interface RegistryCli {
  registryUsername?: string;
  registryPassword?: string;
  allowInsecureRegistry?: boolean;
}

function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option(
      "--registry-username <user>",
      "registry user name (else ~/.docker/config.json, credential helpers)",
    )
    .option("--registry-password <password>", "registry password or token")
    .option("--allow-insecure-registry", "allow plain HTTP to a registry that is not on loopback");
}

function registryOpts(o: RegistryCli): RegistryOptions {
  return {
    ...(o.registryUsername !== undefined ? { username: o.registryUsername } : {}),
    ...(o.registryPassword !== undefined ? { password: o.registryPassword } : {}),
    ...(o.allowInsecureRegistry ? { insecure: true } : {}),
  };
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function parseAnnotations(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of list) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new UsageError(`annotation "${a}" is not key=value`, "bad-annotation");
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new SigningError("file-not-found", "no such file", `${what} ${path}`);
  return readFileSync(path, "utf8");
}

/** Errors of this layer and the image layer end the command with exit 2 and "[code] reason". */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // A signature that fails the policy is "not verified" (exit 1), not a usage error.
    if (err instanceof SigningError && err.code === "verification-failed") {
      say(`Error: no valid signatures: ${err.message}`);
      process.exitCode = EXIT_NOT_VERIFIED;
      return;
    }
    if (err instanceof SigningError || err instanceof ImageError)
      throw new UsageError(`[${err.code}] ${err.message}`, err.code);
    throw err;
  }
}

function identityFrom(o: IdentityPolicy): IdentityPolicy {
  const p: IdentityPolicy = {};
  for (const k of [
    "certificateIdentity",
    "certificateIdentityRegexp",
    "certificateOidcIssuer",
    "certificateOidcIssuerRegexp",
  ] as const)
    if (o[k] !== undefined) p[k] = o[k];
  return p;
}

function addIdentityOptions(cmd: Command): Command {
  return cmd
    .option("--certificate-identity <identity>", "the certificate's identity (SAN) must be exactly this")
    .option(
      "--certificate-identity-regexp <re>",
      "the certificate's identity (SAN) must match this regular expression",
    )
    .option("--certificate-oidc-issuer <issuer>", "the certificate's OIDC issuer must be exactly this")
    .option(
      "--certificate-oidc-issuer-regexp <re>",
      "the certificate's OIDC issuer must match this regular expression",
    )
    .option("--trusted-root <file>", "Sigstore trusted root JSON for bundles (verification is offline)")
    .option("--insecure-ignore-tlog", "accept key-signed bundles that have no transparency-log entry");
}

interface VerifyCli extends RegistryCli, IdentityPolicy {
  key?: string[];
  cert?: string;
  annotations?: string[];
  format?: string;
  trustedRoot?: string;
  insecureIgnoreTlog?: boolean;
  allowOtherRepository?: boolean;
  type?: string;
}

function trustedKeys(o: VerifyCli): TrustedKey[] {
  const keys: TrustedKey[] = (o.key ?? []).map((f) => {
    const key = loadPublicKey(readText(f, "key"), f);
    return { key, name: `${f} (${keyId(key)})` };
  });
  if (o.cert) keys.push(keyFromCertificate(readText(o.cert, "certificate"), identityFrom(o), o.cert));
  return keys;
}

function wantsBundles(o: VerifyCli): boolean {
  return Boolean(o.trustedRoot || o.insecureIgnoreTlog || (!o.cert && hasIdentityPolicy(o)));
}

function checkVerifyArgs(o: VerifyCli): void {
  if (!o.key?.length && !o.cert && !hasIdentityPolicy(o))
    throw new UsageError(
      "give --key, --cert, or --certificate-identity/--certificate-oidc-issuer with --trusted-root",
    );
  if (!o.key?.length && !o.cert && !o.trustedRoot)
    throw new UsageError("keyless verification needs --trusted-root (kubeward verifies offline)");
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Sigstore bundles of the image for one predicate type, verified with the CLI's keys or identity. */
function verifyBundlesFor(
  img: ResolvedImage,
  o: VerifyCli,
  predicateType: string,
  keys: TrustedKey[],
  trustedRoot: ReturnType<typeof loadTrustedRoot> | undefined,
) {
  return verifyImageBundles(img, {
    predicateType,
    keys,
    identity: identityFrom(o),
    ...(trustedRoot ? { trustedRoot } : {}),
    ...(o.insecureIgnoreTlog ? { ignoreTlog: true } : {}),
  });
}

/** Says why nothing verified and sets the "not verified" exit code. */
function reportNotVerified(what: string, target: string, reasons: readonly string[]): void {
  say(`Error: no valid ${what} found for ${target}`);
  for (const r of reasons) say(`  - ${r}`);
  process.exitCode = EXIT_NOT_VERIFIED;
}

/** NAME.key and NAME.pub; existing files are overwritten only with --force. */
function keyFileNames(prefix: string, force: boolean | undefined): { priv: string; pub: string } {
  const priv = `${prefix}.key`;
  const pub = `${prefix}.pub`;
  for (const f of [priv, pub])
    if (existsSync(f) && !force)
      throw new UsageError(`${f} exists (use --force to overwrite)`, "file-exists");
  return { priv, pub };
}

function writeKeyFiles(out: { priv: string; pub: string }, files: KeyPairFiles): void {
  writeFileSync(out.priv, files.privatePem, { mode: 0o600 });
  writeFileSync(out.pub, files.publicPem);
  say(`Private key written to ${out.priv}`);
  say(`Public key written to ${out.pub}`);
}

export function registerSigningCommands({ program }: CommandRoots): void {
  program
    .command("keygen")
    .alias("generate-key-pair")
    .description("generate an ECDSA P-256 key pair: NAME.key (encrypted like cosign) and NAME.pub")
    .option("--output-key-prefix <name>", "file name prefix", "cosign")
    .option("--unencrypted", "write the private key as unencrypted PKCS#8 PEM")
    .option("--force", "overwrite existing key files")
    .action((o: { outputKeyPrefix: string; unencrypted?: boolean; force?: boolean }) =>
      run(async () => {
        const out = keyFileNames(o.outputKeyPrefix, o.force);
        const password = o.unencrypted ? null : await passwordFrom()("encrypt");
        writeKeyFiles(out, await writeKeyPair(generateEcdsaKey(), password));
      }),
    );

  program
    .command("import-key-pair")
    .description("import a PEM private key (PKCS#1 RSA, SEC1 EC, PKCS#8) into cosign's encrypted format")
    .requiredOption("-k, --key <file>", "the PEM private key to import")
    .option("--output-key-prefix <name>", "file name prefix", "import-cosign")
    .option("--force", "overwrite existing key files")
    .action((o: { key: string; outputKeyPrefix: string; force?: boolean }) =>
      run(async () => {
        const key = importPrivateKey(readText(o.key, "key"), o.key);
        const out = keyFileNames(o.outputKeyPrefix, o.force);
        writeKeyFiles(out, await writeKeyPair(key, await passwordFrom()("encrypt")));
      }),
    );

  addRegistryOptions(
    program
      .command("sign <image>")
      .description("sign the image's digest (a tag is resolved first) and push the signature as cosign does")
      .requiredOption("--key <file>", "private key (cosign.key; password from COSIGN_PASSWORD or a prompt)")
      .option("-a, --annotations <key=value>", "extra claim in the signed payload (repeatable)", collect)
      .option(
        "--new-bundle-format",
        "store a Sigstore bundle as an OCI 1.1 referrer instead of a .sig image",
      ),
  ).action(
    (image: string, o: RegistryCli & { key: string; annotations?: string[]; newBundleFormat?: boolean }) =>
      run(async () => {
        const annotations = parseAnnotations(o.annotations);
        const key = await loadPrivateKeyFile(o.key);
        if (o.newBundleFormat) {
          if (annotations)
            throw new UsageError("--annotations are not carried by bundle signatures", "bad-annotation");
          const r = await signImageBundle(image, { key, registry: registryOpts(o) });
          say(`Pushed Sigstore bundle ${r.referrer} as a referrer of ${r.image}`);
          return;
        }
        const r = await signImage(image, {
          key,
          ...(annotations ? { annotations } : {}),
          registry: registryOpts(o),
        });
        say(`Pushing signature to: ${r.signatureTag}`);
      }),
  );

  addIdentityOptions(
    addRegistryOptions(
      program
        .command("verify <image>")
        .description("verify the image's signatures (exit 1 when none is valid, with the reasons)")
        .option("--key <file>", "public key (repeatable: any of them may have signed)", collect)
        .option("--cert <file>", "verify with the public key of this certificate")
        .option("-a, --annotations <key=value>", "required claim in the signed payload (repeatable)", collect)
        .option("--allow-other-repository", "accept payloads that name another repository")
        .addOption(
          new Option("--format <format>", "output format").choices(["text", "json"]).default("text"),
        ),
    ),
  ).action((image: string, o: VerifyCli) =>
    run(async () => {
      checkVerifyArgs(o);
      const keys = trustedKeys(o);
      const annotations = parseAnnotations(o.annotations);
      const trustedRoot = o.trustedRoot ? loadTrustedRoot(o.trustedRoot) : undefined;
      const img = await resolveImage(image, registryOpts(o));
      const payloads: unknown[] = [];
      const reasons: string[] = [];
      const keyless =
        trustedRoot && hasIdentityPolicy(o) && !o.cert
          ? { trustedRoot, identity: identityFrom(o) }
          : undefined;
      if (keys.length || keyless) {
        const r = await verifyResolved(img, {
          keys,
          ...(keyless ? { keyless } : {}),
          ...(annotations ? { annotations } : {}),
          ...(o.allowOtherRepository ? { allowOtherRepository: true } : {}),
        });
        payloads.push(...r.verified.map((v) => v.payloadJson));
        reasons.push(...r.reasons);
      }
      if (wantsBundles(o)) {
        if (annotations) reasons.push("bundles carry no annotations: -a applies to .sig signatures only");
        else {
          const b = await verifyBundlesFor(img, o, COSIGN_SIGN_PREDICATE, keys, trustedRoot);
          payloads.push(...b.verified.map((v) => v.statement));
          reasons.push(...b.reasons);
        }
      }
      const target = `${img.repositoryName}@${img.digest}`;
      if (payloads.length === 0) return reportNotVerified("signatures", target, reasons);
      say(`Verification for ${target} --`);
      say("The following checks were performed on each of these signatures:");
      say("  - The signature was verified against the given key or certificate identity");
      say(`  - The signed claims name this digest${o.allowOtherRepository ? "" : " and repository"}`);
      if (annotations) say("  - The required annotations are in the signed claims");
      if (o.format === "json") process.stdout.write(`${JSON.stringify(payloads)}\n`);
      else for (const p of payloads) process.stdout.write(`${JSON.stringify(p)}\n`);
    }),
  );

  addRegistryOptions(
    program
      .command("attest <image>")
      .description("attach a signed in-toto attestation (DSSE) of a predicate to the image, as cosign does")
      .requiredOption("--key <file>", "private key (password from COSIGN_PASSWORD or a prompt)")
      .requiredOption("--predicate <file>", "the predicate file (SBOM, provenance, kubeward report, ...)")
      .option(
        "--type <type>",
        "custom|slsaprovenance|slsaprovenance1|spdx|spdxjson|cyclonedx|vuln|link|openvex or a URI",
        "custom",
      ),
  ).action((image: string, o: RegistryCli & { key: string; predicate: string; type: string }) =>
    run(async () => {
      predicateTypeUri(o.type);
      if (!existsSync(o.predicate))
        throw new SigningError("file-not-found", "no such file", `predicate ${o.predicate}`);
      const predicate = readFileSync(o.predicate);
      const key = await loadPrivateKeyFile(o.key);
      const r = await attestImage(image, {
        key,
        type: o.type,
        predicate,
        predicateName: o.predicate,
        registry: registryOpts(o),
      });
      say(`Pushing attestation (${r.predicateType}) to: ${r.attestationTag}`);
    }),
  );

  addIdentityOptions(
    addRegistryOptions(
      program
        .command("verify-attestation <image>")
        .description("verify the image's attestations and print their statements (exit 1 when none is valid)")
        .option("--key <file>", "public key (repeatable)", collect)
        .option("--cert <file>", "verify with the public key of this certificate")
        .option("--type <type>", "only accept this predicate type (short name or URI)")
        .option("--allow-other-repository", "accept statements whose subject names another repository")
        .addOption(
          new Option("--format <format>", "output format").choices(["text", "json"]).default("text"),
        ),
    ),
  ).action((image: string, o: VerifyCli) =>
    run(async () => {
      checkVerifyArgs(o);
      const keys = trustedKeys(o);
      const wanted = o.type ? predicateTypeUri(o.type) : undefined;
      const bundles = wantsBundles(o);
      if (bundles && !wanted)
        throw new UsageError("bundle attestations need --type (the predicate type to accept)");
      // Resolved once: .att signatures and bundles are checked against the same digest.
      const img = await resolveImage(image, registryOpts(o));
      const target = `${img.repositoryName}@${img.digest}`;
      const statements: unknown[] = [];
      const reasons: string[] = [];
      if (keys.length) {
        const r = await verifyResolvedAttestations(img, {
          keys,
          ...(o.type ? { type: o.type } : {}),
          ...(o.allowOtherRepository ? { allowOtherRepository: true } : {}),
        });
        statements.push(...r.verified.map((v) => v.statement));
        reasons.push(...r.reasons);
      }
      if (bundles && wanted) {
        const b = await verifyBundlesFor(
          img,
          o,
          wanted,
          keys,
          o.trustedRoot ? loadTrustedRoot(o.trustedRoot) : undefined,
        );
        statements.push(...b.verified.map((v) => v.statement));
        reasons.push(...b.reasons);
      }
      if (statements.length === 0) return reportNotVerified("attestations", target, reasons);
      say(`Verification for ${target} --`);
      say("  - The attestation signature was verified; the statement's subject is this digest");
      if (o.format === "json") process.stdout.write(`${JSON.stringify(statements)}\n`);
      else
        for (const s of statements as Array<{ predicateType?: string; predicate?: unknown }>)
          process.stdout.write(
            `predicateType: ${s.predicateType}\n${JSON.stringify(s.predicate, null, 2)}\n`,
          );
    }),
  );
}
