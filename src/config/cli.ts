import { existsSync } from "node:fs";
import { Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { addOutputOptions, emitReport, type OutputOptions } from "../cli/output.js";
import type { CheckMeta } from "../core/check.js";
import { FRAMEWORKS, type Framework } from "../core/compliance.js";
import { defaultIgnoreFiles, IGNORE_FILE_NAME } from "../core/exceptions.js";
import type { Finding } from "../core/model.js";
import type { K8sObject } from "../core/object.js";
import { parsePssLevel, parsePssVersion } from "./pss/index.js";
import { MANIFEST_CHECKS } from "./registry.js";
import { scanManifests } from "./scan.js";

interface ManifestCliOptions extends OutputOptions {
  policy: string[];
  policyParams: string[];
  pssLevel: string;
  pssVersion: string;
  framework?: Framework;
  ignoreFile?: string;
}

export function registerConfigCommands({ scan }: CommandRoots): void {
  const cmd = scan
    .command("manifests")
    .description(
      "scan Kubernetes manifests (files, directories, Helm charts, Kustomize directories, - for stdin) for Pod Security, workload hardening, RBAC and network problems",
    )
    .argument("<targets...>", "files or directories to scan; - reads standard input")
    .addOption(
      new Option("--pss-level <level>", "Pod Security Standards level to enforce")
        .choices(["baseline", "restricted"])
        .default("restricted"),
    )
    .option("--pss-version <version>", "Pod Security Standards version: v1.0 ... v1.37 or latest", "latest")
    .addOption(
      new Option(
        "--framework <framework>",
        "only run the checks of one framework and print its compliance summary",
      ).choices(FRAMEWORKS),
    )
    .option(
      "--policy <file>",
      "ValidatingAdmissionPolicy and binding file, evaluated as at admission (repeatable)",
      collect,
      [],
    )
    .option(
      "--policy-params <file>",
      "param objects for --policy bindings with paramRef (repeatable)",
      collect,
      [],
    )
    .option(
      "--ignore-file <file>",
      `exceptions file (default: ${IGNORE_FILE_NAME} in the current directory and in each directory target, if present)`,
    );
  addOutputOptions(cmd).action(async (targets: string[], opts: ManifestCliOptions) => {
    for (const t of targets) {
      if (t !== "-" && !existsSync(t))
        throw new UsageError(`cannot read target "${t}": no such file or directory`);
    }
    const pssLevel = parsePssLevel(opts.pssLevel);
    parsePssVersion(opts.pssVersion); // fails early with a clear message
    if (opts.ignoreFile && !existsSync(opts.ignoreFile)) {
      throw new UsageError(`cannot read ignore file "${opts.ignoreFile}": no such file`);
    }
    const ignoreFiles = opts.ignoreFile
      ? [opts.ignoreFile]
      : [...new Set([...defaultIgnoreFiles(["."]), ...defaultIgnoreFiles(targets)])];
    const policyFindings =
      opts.policy.length > 0 ? await loadPolicies(opts.policy, opts.policyParams) : undefined;
    const report = await scanManifests(targets, {
      policyFindings,
      pssLevel,
      pssVersion: opts.pssVersion,
      framework: opts.framework,
      includePassed: opts.includePassed,
      ignoreFiles,
    });
    process.exitCode = emitReport(report, opts, checkIndex());
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The admission layer's ValidatingAdmissionPolicy evaluator, so that CI and the cluster decide alike.
 * Loaded only when --policy is given: it brings the CEL runtime.
 */
async function loadPolicies(
  files: string[],
  paramFiles: string[],
): Promise<(objects: readonly K8sObject[]) => Finding[]> {
  for (const f of [...files, ...paramFiles]) {
    if (!existsSync(f)) throw new UsageError(`cannot read policy file "${f}": no such file`);
  }
  const { loadPolicyFiles, loadParamFiles, vapFindings } = await import("../admission/vap/index.js");
  const policies = await loadPolicyFiles(files);
  const params = await loadParamFiles(paramFiles);
  return (objects) => vapFindings(objects, policies, params);
}

function checkIndex(): ReadonlyMap<string, CheckMeta> {
  return new Map(MANIFEST_CHECKS.map((c) => [c.id, c]));
}
