import { fileURLToPath } from "node:url";

/** Folders holding the committed, drizzle-kit generated SQL (shipped with this package). */
export const migrationsFolders = {
  edge: fileURLToPath(new URL("../edge", import.meta.url)),
  cloud: fileURLToPath(new URL("../cloud", import.meta.url)),
} as const;
