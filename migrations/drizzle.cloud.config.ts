import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "../shared-schema/src/cloud/*.ts",
  out: "./cloud",
});
