import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

/** One command line of a ```sh block in README.md, as a user would type it. */
export interface ReadmeCommand {
  /** The heading (## or ###) the block sits under. */
  section: string;
  /** 1-based line in README.md where the command starts. */
  lineNo: number;
  /** `\` continuations joined, the trailing `# comment` removed. */
  line: string;
}

/** A fenced block of README.md, with the heading it sits under. */
export interface ReadmeBlock {
  section: string;
  lang: string;
  lineNo: number;
  text: string;
}

export function readmeBlocks(readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8")): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  let section = "";
  let open: ReadmeBlock | null = null;
  readme.split("\n").forEach((text, i) => {
    if (open !== null) {
      if (text.startsWith("```")) {
        blocks.push(open);
        open = null;
      } else open.text += `${text}\n`;
      return;
    }
    const fence = /^```(\S*)/.exec(text);
    if (fence) open = { section, lang: fence[1] ?? "", lineNo: i + 2, text: "" };
    else if (/^#{2,3} /.test(text)) section = text.replace(/^#+ /, "").trim();
  });
  return blocks;
}

/** Every command line of every ```sh block. */
export function readmeCommands(readme?: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of readmeBlocks(readme).filter((b) => b.lang === "sh")) {
    let pending = "";
    let start = 0;
    block.text.split("\n").forEach((raw, i) => {
      const text = withoutComment(raw).trimEnd();
      if (pending === "") start = block.lineNo + i;
      if (text.endsWith("\\")) {
        pending += `${text.slice(0, -1).trim()} `;
        return;
      }
      const line = (pending + text.trim()).trim();
      pending = "";
      if (line !== "") commands.push({ section: block.section, lineNo: start, line });
    });
  }
  return commands;
}

/** Cuts a `#` comment that starts a word outside quotes (`'p(95)<500'` and `a#b` stay). */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) return line.slice(0, i);
  }
  return line;
}
