import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Children } from "./children.js";
import { addDevice, addKey, addOperatorKey, type CloudLocation } from "./cloud-processes.js";

export interface DemoCredentials {
  device: { id: string; token: string };
  operator: { id: string; key: string };
  /** The key the printed analyst calls use (added to data directories from before it existed). */
  analyst: { id: string; key: string };
}

/**
 * The demo device and operator key, registered once per data directory and kept beside the databases
 * (mode 0600), so a second `npm start` reuses them instead of registering a new device each time.
 */
export async function demoCredentials(
  children: Children,
  dataDir: string,
  at: CloudLocation,
): Promise<DemoCredentials> {
  const file = join(dataDir, "demo-credentials.json");
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, "utf8")) as Partial<DemoCredentials>;
    if (kept.device && kept.operator && kept.analyst) return kept as DemoCredentials;
    if (kept.device && kept.operator) {
      const upgraded = { ...kept, analyst: await addKey(children, at, "analyst") } as DemoCredentials;
      writeFileSync(file, `${JSON.stringify(upgraded, null, 2)}\n`, { mode: 0o600 });
      return upgraded;
    }
  }
  const created: DemoCredentials = {
    device: await addDevice(children, at, "demo-pi"),
    operator: await addOperatorKey(children, at),
    analyst: await addKey(children, at, "analyst"),
  };
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}
