import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../auth/secret.js";
import { EXPORT_QUERY_PARAMS } from "../exports/export-filters.js";
import { kebab } from "./export.js";

// The built CLI, as operators run it (`npm run build` first; the root `npm test` builds before testing).
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "pw-cli-"));
const db = join(dir, "cloud.db");

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [MAIN, ...args, "--db", db], { encoding: "utf8", env: {} });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** stdout must be exactly one line holding one JSON object. */
function onlyJsonObject(stdout: string): Record<string, unknown> {
  const lines = stdout.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  const value: unknown = JSON.parse(lines[0] ?? "");
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

async function query(sql: string, args: string[] = []) {
  const client = createClient({ url: `file:${db}` });
  try {
    return (await client.execute({ sql, args })).rows;
  } finally {
    client.close();
  }
}

beforeAll(() => {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  expect(cli("migrate").status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("piwardrive-cloud", () => {
  it("devices add --json prints one {id, token} object; only the token's hash is stored", async () => {
    const run = cli("devices", "add", "pi-zero-1", "--json");
    expect(run.status).toBe(0);
    const out = onlyJsonObject(run.stdout);
    expect(Object.keys(out).sort()).toEqual(["id", "token"]);
    expect(out.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await query("SELECT name, token_hash FROM devices WHERE id = ?", [String(out.id)]);
    expect(rows[0]).toMatchObject({ name: "pi-zero-1", token_hash: hashSecret(String(out.token)) });
    expect(JSON.stringify(await query("SELECT * FROM devices"))).not.toContain(String(out.token));
  });

  it("devices list shows a control character in a device name as [U+XXXX], not raw", () => {
    cli("devices", "add", "evil\u001b[31mred\u202e", "--json");
    const out = cli("devices", "list").stdout;
    expect(out).toContain("evil[U+001B][31mred[U+202E]");
    expect(out).not.toContain("\u001b");
  });

  it("keys add --role --json prints one {id, key} object and refuses an unknown role", async () => {
    const run = cli("keys", "add", "--role", "operator", "--json");
    expect(run.status).toBe(0);
    const out = onlyJsonObject(run.stdout);
    expect(Object.keys(out).sort()).toEqual(["id", "key"]);
    const rows = await query("SELECT role, key_hash FROM api_keys WHERE id = ?", [String(out.id)]);
    expect(rows[0]).toMatchObject({ role: "operator", key_hash: hashSecret(String(out.key)) });
    const bad = cli("keys", "add", "--role", "root");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/analyst, operator, admin/);
  });

  it("devices list --json and devices revoke", async () => {
    const { id } = onlyJsonObject(cli("devices", "add", "pi-4", "--json").stdout);
    expect(cli("devices", "revoke", String(id)).status).toBe(0);
    const listed = JSON.parse(cli("devices", "list", "--json").stdout) as { id: string; revoked: boolean }[];
    expect(listed.find((d) => d.id === id)).toMatchObject({ revoked: true, observations: 0, stale: false });
    const table = cli("devices", "list").stdout.split("\n");
    expect(table[0]).toMatch(/^device\s+id\s+state\s+last contact \(UTC\)\s+last batch \(UTC\)\s+sightings/);
    expect(table.find((line) => line.includes(String(id)))).toMatch(
      /^pi-4\s+dev-\S+\s+revoked\s+never\s+never\s+0\s+-/,
    );
    const missing = cli("devices", "revoke", "dev-nope");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no device dev-nope/);
  });

  it("export takes every GET /v1/export parameter as a --kebab-case flag, and refuses a bad one naming it", () => {
    const help = spawnSync(process.execPath, [MAIN, "export", "--help"], {
      encoding: "utf8",
      env: {},
    }).stdout;
    for (const name of EXPORT_QUERY_PARAMS) expect(help, name).toContain(`--${kebab(name)} <`);
    expect(help).toContain("--ssid-prefix <");
    expect(help).toContain("--min-confidence <");
    const bad = cli("export", "--format", "csv", "--what", "networks", "--min-confidence", "9");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('parameter "minConfidence": must be between 0 and 7');
    const other = cli("export", "--format", "csv", "--ssid-prefix", "x");
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('parameter "ssidPrefix": unknown parameter');
  });
});
