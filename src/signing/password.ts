// Key passwords: COSIGN_PASSWORD when set (even empty, as cosign does), else a prompt on the terminal.
import { createInterface } from "node:readline";
import { SigningError } from "./errors.js";

export type PasswordSource = (purpose: "decrypt" | "encrypt") => Promise<string>;

async function ask(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput?: (s: string) => void; output: NodeJS.WritableStream };
  process.stderr.write(prompt);
  // Hide what is typed.
  out._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question("", resolve));
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

export function passwordFrom(env: NodeJS.ProcessEnv = process.env): PasswordSource {
  return async (purpose) => {
    if (env.COSIGN_PASSWORD !== undefined) return env.COSIGN_PASSWORD;
    if (!process.stdin.isTTY)
      throw new SigningError("no-password", "no password: set COSIGN_PASSWORD or run on a terminal");
    if (purpose === "decrypt") return ask("Enter password for private key: ");
    const a = await ask("Enter password for private key: ");
    const b = await ask("Enter password for private key again: ");
    if (a !== b) throw new SigningError("no-password", "passwords do not match");
    return a;
  };
}
