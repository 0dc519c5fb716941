import { migrateCloud } from "@piwardrive/migrations";
import { Command } from "commander";
import { configFrom, print, withDb, withDbOption } from "./options.js";

export function migrateCommand(): Command {
  return withDbOption(new Command("migrate"))
    .description("apply every pending cloud migration (idempotent)")
    .action(async (flags: { db?: string }) => {
      const config = configFrom(flags);
      await withDb(config, (db) => migrateCloud(db));
      print(`migrated ${config.db}`);
    });
}
