import { readFile } from "node:fs/promises";
import { z } from "zod";
import { type Scenario, type WeightedRequest, weightedPicker } from "./scenario.js";

/**
 * A k6-like scenario file: `{"requests":[{"method":"GET","path":"/v1/networks?limit=10","weight":3,
 * "headers":{},"body":null}]}`. Paths are relative to --target; `route` (optional) names the perRoute key,
 * by default the path without its query string.
 */
const scenarioFileSchema = z.strictObject({
  requests: z
    .array(
      z.strictObject({
        method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
        path: z.string().regex(/^\//, "must start with /"),
        route: z.string().min(1).optional(),
        weight: z.number().positive().finite().default(1),
        headers: z.record(z.string(), z.string()).default({}),
        body: z
          .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
          .nullable()
          .default(null),
      }),
    )
    .min(1),
});

export type ScenarioFile = z.input<typeof scenarioFileSchema>;

export class ScenarioFileError extends Error {
  override name = "ScenarioFileError";
}

export function scenarioFromDefinition(name: string, definition: unknown): Scenario {
  const parsed = scenarioFileSchema.safeParse(definition);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ScenarioFileError(`scenario ${name}: ${problems.join("; ")}`);
  }
  const requests: WeightedRequest[] = parsed.data.requests.map((r) => {
    const body = r.body === null ? null : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    const headers =
      body !== null && typeof r.body !== "string" && r.headers["content-type"] === undefined
        ? { ...r.headers, "content-type": "application/json" }
        : r.headers;
    return {
      method: r.method,
      path: r.path,
      route: r.route ?? `${r.method} ${r.path.split("?")[0]}`,
      weight: r.weight,
      headers,
      body,
    };
  });
  return { name, next: weightedPicker(requests) };
}

export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ScenarioFileError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFileError(`scenario file ${path} is not JSON: ${(error as Error).message}`);
  }
  return scenarioFromDefinition(path, json);
}
