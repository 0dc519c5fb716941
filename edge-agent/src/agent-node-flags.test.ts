import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AGENT_NODE_FLAGS } from "./agent-node-flags.js";

describe("AGENT_NODE_FLAGS", () => {
  it("are the flags the shipped systemd unit starts the agent with", () => {
    const unit = readFileSync(new URL("../../deploy/piwardrive-edge.service", import.meta.url), "utf8");
    const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1];
    expect(execStart).toBeDefined();
    const [node, ...args] = (execStart ?? "").split(/\s+/);
    expect(node).toMatch(/\/node$/);
    const script = args.findIndex((a) => a.endsWith("/cli/main.js"));
    expect(args.slice(0, script)).toEqual([...AGENT_NODE_FLAGS]);
    expect(args.slice(script + 1, script + 2)).toEqual(["run"]);
  });

  it("are flags this Node.js accepts", () => {
    for (const flag of AGENT_NODE_FLAGS)
      expect(process.allowedNodeEnvironmentFlags.has(flag.split("=")[0] ?? "")).toBe(true);
  });
});
