/*
 * A README usage line (`npx piwardrive-edge import <files...> [--db data/edge.db] [--format auto|wigle] [--json]`)
 * turned into the argv a user would type: optional groups kept or left out, one of `a|b|c` picked, each
 * `<placeholder>` (and any literal the test moves, such as a path or a port) replaced by a real value.
 */
type UsageNode = { kind: "word"; text: string } | { kind: "optional"; items: UsageNode[] };

export interface Instantiation {
  /** Optional groups to keep: all, none, or those whose first word is listed (e.g. "--json"). */
  optional: "all" | "none" | string[];
  /** Replacements for whole words: placeholders (`<id>`) and literals (`data/edge.db`); an array expands. */
  values?: Record<string, string | string[]>;
  /** The value to use after an option instead of the README's (`--duration` -> "1"). */
  optionValues?: Record<string, string>;
  /** The alternative to use for an `a|b|c` word (default: the first). */
  pick?: Record<string, string>;
}

/** Splits outside quotes and `<...>`; `[` and `]` outside them become tokens of their own. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let word = "";
  let quote: string | null = null;
  let angle = 0;
  const flush = () => {
    if (word !== "") tokens.push(word);
    word = "";
  };
  for (const c of line) {
    if (quote !== null) {
      word += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      word += c;
    } else if (c === "<") {
      angle++;
      word += c;
    } else if (c === ">" && angle > 0) {
      angle--;
      word += c;
    } else if (angle > 0) word += c;
    else if (/\s/.test(c)) flush();
    else if (c === "[" || c === "]") {
      flush();
      tokens.push(c);
    } else word += c;
  }
  flush();
  return tokens;
}

export function parseUsage(line: string): UsageNode[] {
  const root: UsageNode[] = [];
  const stack: UsageNode[][] = [root];
  for (const token of tokenize(line)) {
    const top = stack.at(-1) ?? root;
    if (token === "[") {
      const group: UsageNode = { kind: "optional", items: [] };
      top.push(group);
      stack.push(group.items);
    } else if (token === "]") {
      if (stack.length === 1) throw new Error(`unbalanced ] in: ${line}`);
      stack.pop();
    } else if (token !== "...") top.push({ kind: "word", text: token });
  }
  if (stack.length !== 1) throw new Error(`unclosed [ in: ${line}`);
  return root;
}

/** Every word of the line, optional ones included (for the `--help` check). */
export function usageWords(line: string): string[] {
  const words: string[] = [];
  const walk = (nodes: UsageNode[]) => {
    for (const n of nodes)
      if (n.kind === "word") words.push(n.text);
      else walk(n.items);
  };
  walk(parseUsage(line));
  return words;
}

const unquote = (word: string) => word.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");

export function instantiate(line: string, how: Instantiation): string[] {
  const argv: string[] = [];
  const keep = (group: UsageNode[]) => {
    if (how.optional === "all") return true;
    if (how.optional === "none") return false;
    const first = group[0];
    return first?.kind === "word" && how.optional.includes(first.text);
  };
  const walk = (nodes: UsageNode[]) => {
    nodes.forEach((node, i) => {
      if (node.kind === "optional") {
        if (keep(node.items)) walk(node.items);
        return;
      }
      const before = nodes[i - 1];
      const option = before?.kind === "word" && before.text.startsWith("--") ? before.text : undefined;
      const value = how.values?.[node.text];
      if (option !== undefined && how.optionValues?.[option] !== undefined && !node.text.startsWith("-")) {
        argv.push(how.optionValues[option]);
      } else if (value !== undefined) {
        argv.push(...(Array.isArray(value) ? value : [value]));
      } else if (node.text.startsWith("<")) {
        throw new Error(`no value for ${node.text} in: ${line}`);
      } else if (node.text.includes("|") && !/^['"]/.test(node.text)) {
        const choices = node.text.split("|").filter((c) => c !== "...");
        argv.push(how.pick?.[node.text] ?? choices[0] ?? "");
      } else argv.push(unquote(node.text));
    });
  };
  walk(parseUsage(line));
  return argv;
}
