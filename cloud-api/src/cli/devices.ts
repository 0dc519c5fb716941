import { Command } from "commander";
import { deviceTable } from "../fleet/device-table.js";
import { listDeviceViews } from "../fleet/device-view.js";
import { createDevice, revokeDevice } from "../services/devices.js";
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
    .description(
      "the fleet: last contact and batch, sightings, backlog, agent, latest health, position, stale " +
        "(as GET /v1/devices; stale after PIWARDRIVE_DEVICE_STALE_MINUTES)",
    )
    .option("--json", "print the devices as GET /v1/devices does (a JSON array)")
    .action(async (flags: { db?: string; json?: boolean }) => {
      const config = configFrom(flags);
      const all = await withDb(config, (db) =>
        listDeviceViews(db, { now: Date.now(), staleAfterMs: config.fleet.staleAfterMs }),
      );
      print(flags.json ? JSON.stringify(all) : deviceTable(all));
    });
  withDbOption(devices.command("revoke <id>"))
    .description("revoke a device; its token stops working at once")
    .action(async (id: string, flags: { db?: string }) => {
      const device = await withDb(configFrom(flags), (db) => revokeDevice(db, id));
      print(`revoked ${device.id} at ${iso(device.revokedAt)}`);
    });
  return devices;
}
