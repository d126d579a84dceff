// A Dockerfile parser: instructions with their line numbers, continuation lines joined,
// comments and parser directives (escape) honoured, heredocs kept as part of the instruction.

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, USER, ... */
  cmd: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** Index of the build stage (FROM) it belongs to; -1 before the first FROM (ARG). */
  stage: number;
}

export interface Dockerfile {
  instructions: Instruction[];
  /** Stages: the FROM instruction of each. */
  stages: Instruction[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  let escapeChar = "\\";
  // Parser directives: only at the very top, before any instruction, blank line or other comment.
  for (const l of lines) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!m) break;
    if (m[1]!.toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) escapeChar = m[2]!;
  }
  const instructions: Instruction[] = [];
  const stages: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      i++;
      continue;
    }
    const start = i + 1;
    let body = trimmed;
    let heredocEnd: string | undefined;
    const hd = /<<-?\s*["']?([A-Za-z_][\w]*)["']?/.exec(trimmed);
    if (hd) heredocEnd = hd[1];
    while (body.endsWith(escapeChar) && i + 1 < lines.length) {
      body = body.slice(0, -1);
      i++;
      let next = lines[i]!;
      // Comment lines inside a continuation are dropped.
      while (/^\s*#/.test(next) && i + 1 < lines.length) {
        i++;
        next = lines[i]!;
      }
      body += ` ${next.trim()}`;
    }
    if (heredocEnd) {
      while (i + 1 < lines.length) {
        i++;
        body += `\n${lines[i]}`;
        if (lines[i]!.trim() === heredocEnd) break;
      }
    }
    i++;
    const m = /^(\S+)\s*(.*)$/s.exec(body);
    if (!m) continue;
    const cmd = m[1]!.toUpperCase();
    const ins: Instruction = {
      cmd,
      args: m[2]!.trim(),
      line: start,
      stage: stages.length - (cmd === "FROM" ? 0 : 1),
    };
    if (cmd === "FROM") stages.push(ins);
    instructions.push(ins);
  }
  return { instructions, stages };
}

/** Instructions of the final stage (what ships). */
export function finalStage(df: Dockerfile): Instruction[] {
  const last = df.stages.length - 1;
  return df.instructions.filter((i) => i.stage === last && last >= 0);
}

/** ENV/ARG/LABEL key=value pairs (also the legacy "ENV key value" form). */
export function keyValues(args: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let matched = false;
  for (let m = re.exec(args); m; m = re.exec(args)) {
    matched = true;
    out.push([m[1]!, m[2]!.replace(/^["']|["']$/g, "")]);
  }
  if (!matched) {
    const sp = /^(\S+)\s+(.*)$/.exec(args);
    if (sp) out.push([sp[1]!, sp[2]!]);
    else if (args) out.push([args, ""]);
  }
  return out;
}

/**
 * The simple commands a RUN instruction (also `ONBUILD RUN`) runs, each as its words: the exec form
 * `["apt-get", "install", "x"]` is one command; the shell form is split at `&&`, `||`, `;`, `|`, `&`,
 * newlines and parentheses outside quotes. Quotes are removed from words; expansions are left as text.
 * Empty for any other instruction.
 */
export function runCommands(ins: Instruction): string[][] {
  let args = ins.args;
  if (ins.cmd === "ONBUILD") {
    const m = /^RUN\s+(.*)$/is.exec(args);
    if (!m) return [];
    args = m[1]!;
  } else if (ins.cmd !== "RUN") return [];
  // RUN flags (--mount=..., --network=..., --security=...) come before the command.
  while (/^--[a-z-]+=\S*\s*/i.test(args)) args = args.replace(/^--[a-z-]+=\S*\s*/i, "");
  if (args.startsWith("[")) {
    try {
      const exec = JSON.parse(args) as unknown;
      if (Array.isArray(exec) && exec.every((w) => typeof w === "string")) return [exec as string[]];
    } catch {
      // Not valid JSON: Docker then runs the text with the shell, as below.
    }
  }
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (c === "'" || c === '"') {
      const close = args.indexOf(c, i + 1);
      const end = close < 0 ? args.length : close;
      word = (word ?? "") + args.slice(i + 1, end);
      i = end;
    } else if (c === "\\" && i + 1 < args.length) {
      word = (word ?? "") + args[++i];
    } else if (/\s/.test(c)) {
      if (c === "\n") endCommand();
      else endWord();
    } else if ("&|;()".includes(c)) endCommand();
    else word = (word ?? "") + c;
  }
  endCommand();
  return commands;
}

/**
 * The arguments of `apt-get` when the command runs it (after `VAR=value` assignments, `sudo` and
 * `env`), else undefined.
 */
export function aptGetArgs(words: readonly string[]): string[] | undefined {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) i++;
    else if (w === "sudo" || w === "env") {
      i++;
      while (i < words.length && words[i]!.startsWith("-")) i++;
    } else break;
  }
  const name = words[i];
  if (name === undefined || name.slice(name.lastIndexOf("/") + 1) !== "apt-get") return undefined;
  return words.slice(i + 1);
}
