import { readFileSync } from "node:fs";

/** This agent's version (its package version), sent with every upload (X-PiWardrive-Agent-Version). */
// package.json sits one level up from both src/ and dist/.
export const AGENT_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
