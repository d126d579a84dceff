import { Command, CommanderError } from "commander";
import { TOOL_VERSION } from "../core/model.js";
import { EXIT_FAILED, UsageError } from "./errors.js";
import { LAYER_COMMANDS } from "./layers.js";

export function buildProgram(): Command {
  const program = new Command("kubeward")
    .description("Kubernetes security from manifests to runtime: one engine, many gates.")
    .version(TOOL_VERSION)
    // Usage errors read like every other failure: "kubeward: <reason>" on one line, then a pointer
    // to --help rather than the whole help text, which buried the reason. Subcommands inherit both.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "kubeward: ")) })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const scan = program
    .command("scan")
    .description("scan manifests, clusters, images, file systems, SBOMs or nodes");
  scan.exitOverride();
  for (const register of LAYER_COMMANDS) register({ program, scan });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let code = 0;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors with 2.
      return err.exitCode === 0 ? 0 : EXIT_FAILED;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kubeward: ${message}\n`);
    if (!(err instanceof UsageError) && process.env.KUBEWARD_DEBUG && err instanceof Error) {
      process.stderr.write(`${err.stack}\n`);
    }
    return EXIT_FAILED;
  }
  return code;
}
