import { Command } from "commander";
import { createDevice, listDevices, revokeDevice } from "../services/devices.js";
import { configFrom, print, withDb, withDbOption } from "./options.js";

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

export function devicesCommand(): Command {
  const devices = new Command("devices").description("register, list and revoke edge devices");
  withDbOption(devices.command("add <name>"))
    .description("register a device and print its token (shown once; only its hash is stored)")
    .option("--json", "print {id, token} as JSON")
    .action(async (name: string, flags: { db?: string; json?: boolean }) => {
      const created = await withDb(configFrom(flags), (db) => createDevice(db, { name }));
      if (flags.json) print(JSON.stringify({ id: created.id, token: created.token }));
      else
        print(
          `device ${created.id} (${created.name})\ntoken ${created.token}\n(the token is shown only once)`,
        );
    });
  withDbOption(devices.command("list"))
    .description("list registered devices")
    .option("--json", "print a JSON array")
    .action(async (flags: { db?: string; json?: boolean }) => {
      const all = await withDb(configFrom(flags), (db) => listDevices(db));
      if (flags.json) return print(JSON.stringify(all));
      for (const d of all) {
        const state = d.revokedAt === null ? "active" : `revoked ${iso(d.revokedAt)}`;
        print(`${d.id}\t${d.name}\t${state}\tlast seen ${iso(d.lastSeenAt)}`);
      }
    });
  withDbOption(devices.command("revoke <id>"))
    .description("revoke a device; its token stops working at once")
    .action(async (id: string, flags: { db?: string }) => {
      const device = await withDb(configFrom(flags), (db) => revokeDevice(db, id));
      print(`revoked ${device.id} at ${iso(device.revokedAt)}`);
    });
  return devices;
}
