#!/usr/bin/env node
// The `piwardrive-demo` command. This file is committed (with its execute bit) so that `npm ci` can link it
// before anything is built: npm links a bin only when its target exists, and tsc writes dist/main.js
// without the execute bit. The command itself is the built dist/main.js.
import { existsSync } from "node:fs";

const cli = new URL("../dist/main.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "piwardrive-demo: not built yet (dist/main.js is missing); run `npm run build` in the repository first\n",
  );
  process.exit(1);
}
await import(cli.href);
