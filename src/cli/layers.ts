import type { Command } from "commander";
import { registerAdmissionCommands } from "../admission/cli.js";
import { registerConfigCommands } from "../config/cli.js";
import { registerImageCommands } from "../images/cli.js";
import { registerNodeCommands } from "../node/cli.js";
import { registerRuntimeCommands } from "../runtime/cli.js";
import { registerSigningCommands } from "../signing/cli.js";
import { registerVulnCommands } from "../vulns/cli.js";

export interface CommandRoots {
  program: Command;
  /** The `scan` command group; layers add `scan <target>` subcommands to it. */
  scan: Command;
}

/** Each layer adds its own commands. One line per layer, registered explicitly. */
export const LAYER_COMMANDS: ReadonlyArray<(roots: CommandRoots) => void> = [
  registerConfigCommands,
  registerNodeCommands,
  registerRuntimeCommands,
  registerImageCommands,
  registerVulnCommands,
  registerAdmissionCommands,
  registerSigningCommands,
];
