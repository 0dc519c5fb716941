import { Command, Option } from "commander";
import { createApiKey, ROLES, type Role } from "../services/api-keys.js";
import { configFrom, print, withDb, withDbOption } from "./options.js";

export function keysCommand(): Command {
  const keys = new Command("keys").description("manage API keys for analysts, operators and admins");
  withDbOption(keys.command("add"))
    .description("create an API key and print it (shown once; only its hash is stored)")
    .addOption(new Option("--role <role>", "what the key may do").choices(ROLES).makeOptionMandatory())
    .option("--json", "print {id, key} as JSON")
    .action(async (flags: { db?: string; role: Role; json?: boolean }) => {
      const created = await withDb(configFrom(flags), (db) => createApiKey(db, { role: flags.role }));
      if (flags.json) print(JSON.stringify({ id: created.id, key: created.key }));
      else
        print(`key ${created.id} (${created.role})\nsecret ${created.key}\n(the secret is shown only once)`);
    });
  return keys;
}
