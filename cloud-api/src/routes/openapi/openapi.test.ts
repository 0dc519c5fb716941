import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NETWORK_QUERY_PARAMS } from "../../analyst/network-filters.js";
import { createApp } from "../../app.js";
import { createLoadTestQueue } from "../../loadtest/loadtest-queue.js";
import { createApiMetrics } from "../../metrics/api-metrics.js";
import { type RunningServer, startServer } from "../../server.js";
import { createApiKey } from "../../services/api-keys.js";
import { createDevice } from "../../services/devices.js";
import { landAndMerge, wigleDriveSightings } from "../../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../../test-support/test-cloud.js";
import {
  networkDetailResponseSchema,
  networkSearchResponseSchema,
  observationPageResponseSchema,
} from "../analyst/schema.js";
import { statsResponseSchema } from "../schema.js";
import { PARAM_DESCRIPTIONS, ROUTE_DOCS } from "./route-docs.js";

let cloud: TestCloud;
let server: RunningServer;
let analystKey: string;
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;

beforeAll(async () => {
  cloud = await openTestCloud();
  const queue = createLoadTestQueue(cloud.workerRedis, { prefix: cloud.prefix });
  // Every optional route group on, so the app registers all it can.
  app = createApp({
    ...cloud.deps,
    loadtests: { queue, selfOrigin: undefined },
    metrics: createApiMetrics(),
  });
  server = await startServer({ app, port: 0 });
  close = async () => {
    await server.close();
    await queue.close();
  };
  const device = await createDevice(cloud.db, { name: "drive" });
  await landAndMerge(cloud.db, { deviceId: device.id }, wigleDriveSightings());
  analystKey = (await createApiKey(cloud.db, { role: "analyst" })).key;
});
afterAll(async () => {
  await close();
  await cloud.cleanup();
});

/** The app's own routes, in OpenAPI form, without middleware, the docs themselves and bull-board's UI. */
function appRoutes(): string[] {
  const out = app.routes
    .filter((r) => r.method !== "ALL" && !/^\/(docs|openapi\.json|admin\/queues)/.test(r.path))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, "{$1}")}`);
  return [...new Set(out)].sort();
}

async function getJson(path: string, key?: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as unknown };
}

describe("GET /openapi.json", () => {
  it("documents exactly the routes the app serves", () => {
    const documented = ROUTE_DOCS.map((d) => `${d.method} ${d.path}`).sort();
    expect(documented).toEqual(appRoutes());
  });

  it("is an OpenAPI 3.1 document whose query parameters are the ones the routes accept", async () => {
    const { status, body } = await getJson("/openapi.json");
    expect(status).toBe(200);
    const doc = body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string }[]; responses: object }>
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    // Checked against the OpenAPI 3.1 specification's own JSON Schema.
    const validation = await new Validator().validate(structuredClone(body) as Record<string, unknown>);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    const search = doc.paths["/v1/networks"]?.get;
    expect(search?.parameters.map((p) => p.name)).toEqual([...NETWORK_QUERY_PARAMS]);
    const detail = doc.paths["/v1/networks/{mac}"]?.get;
    expect(detail?.parameters).toEqual([
      expect.objectContaining({ name: "mac", in: "path", required: true }),
    ]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const p of op.parameters) {
          if (p.in === "query") expect(PARAM_DESCRIPTIONS[p.name], `${path} ?${p.name}`).toBeDefined();
        }
      }
    }
    // The document advertises a parameter the route refuses? Every documented one is accepted.
    const all = search?.parameters.map((p) => `${p.name}=`).join("&");
    const res = await fetch(`${server.url}/v1/networks?${all?.replace("cursor=", "").replace(/&$/, "")}`, {
      headers: { authorization: `Bearer ${analystKey}` },
    });
    expect(res.status).not.toBe(500);
    const text = await res.text();
    expect(text).not.toContain("unknown parameter");
  });

  it("matches what the routes answer (the same zod schemas validate real responses)", async () => {
    const networks = await getJson("/v1/networks?limit=5", analystKey);
    expect(networks.status).toBe(200);
    const page = networkSearchResponseSchema.parse(networks.body);
    expect(page.networks.length).toBe(5);
    const mac = page.networks[0]!.mac;
    networkDetailResponseSchema.parse((await getJson(`/v1/networks/${mac}`, analystKey)).body);
    observationPageResponseSchema.parse((await getJson(`/v1/networks/${mac}/observations`, analystKey)).body);
    observationPageResponseSchema.parse((await getJson("/v1/observations?limit=5", analystKey)).body);
    statsResponseSchema.parse((await getJson("/v1/stats", analystKey)).body);
  });
});

describe("GET /docs", () => {
  it("serves Swagger UI from the package's own files, no external request", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"]);
    for (const ref of refs) {
      const asset = await fetch(`${server.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(10);
    }
    expect((await fetch(`${server.url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
