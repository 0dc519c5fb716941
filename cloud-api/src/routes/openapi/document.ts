import { z } from "zod";
import { errorBodySchema } from "../schema.js";
import { type Caller, PARAM_DESCRIPTIONS, type RouteDoc } from "./route-docs.js";

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (what OpenAPI 3.1 uses) of a zod schema, as a request (`input`) or a response. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const CALLERS: Record<Caller, { security: Record<string, string[]>[]; note: string }> = {
  public: { security: [], note: "No key needed." },
  device: { security: [{ deviceToken: [] }], note: "Device token (`piwardrive-cloud devices add`)." },
  analyst: { security: [{ apiKey: [] }], note: "API key with the analyst role or higher." },
  operator: { security: [{ apiKey: [] }], note: "API key with the operator role or higher." },
  admin: { security: [{ apiKey: [] }], note: "API key with the admin role." },
};

const STATUS_TEXT: Record<number, string> = {
  400: "bad request: the message names the parameter",
  401: "no or unknown key",
  403: "the key's role is too low (or the device is revoked)",
  404: "not found",
  409: "conflict",
  413: "body too large",
  415: "unsupported media type or encoding",
  429: "rate limited (Retry-After)",
  503: "briefly unavailable (Retry-After)",
};

function parameters(doc: RouteDoc): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (where: "path" | "query", schema: z.ZodObject | undefined) => {
    if (schema === undefined) return;
    const properties = (schemaOf(schema, "input").properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, property] of Object.entries(properties)) {
      const description = PARAM_DESCRIPTIONS[name];
      out.push({
        name,
        in: where,
        required: where === "path",
        schema: property,
        ...(description === undefined ? {} : { description }),
      });
    }
  };
  add("path", doc.params);
  add("query", doc.query);
  return out;
}

function operation(doc: RouteDoc): JsonSchema {
  const caller = CALLERS[doc.caller];
  const responses: Record<string, JsonSchema> = {
    [doc.response.status]: {
      description: doc.response.description,
      content: {
        [doc.response.contentType]:
          doc.response.schema === undefined ? {} : { schema: schemaOf(doc.response.schema, "output") },
      },
    },
  };
  const errors = [...(doc.caller === "public" ? [] : [401, 403]), ...doc.errors];
  for (const status of [...new Set(errors)].sort()) {
    responses[status] = {
      description: STATUS_TEXT[status] ?? "error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: `${doc.method}${doc.path.replace(/[{}]/g, "").replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string = "") => c.toUpperCase())}`,
    summary: doc.summary,
    description: caller.note,
    tags: [doc.tag],
    security: caller.security,
    parameters: parameters(doc),
    ...(doc.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { [doc.body.contentType]: { schema: schemaOf(doc.body.schema, "input") } },
          },
        }),
    responses,
  };
}

/** The OpenAPI 3.1 document of these routes. */
export function openApiDocument(docs: readonly RouteDoc[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const doc of docs) {
    const item = paths[doc.path] ?? {};
    item[doc.method] = operation(doc);
    paths[doc.path] = item;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "PiWardrive cloud API",
      version,
      description:
        "Ingest for edge agents, the analyst API over the fleet's merged data, and operations. " +
        "Times in responses are ISO 8601 UTC; errors are `{error:{code,message,requestId}}`.",
    },
    tags: [...new Set(docs.map((d) => d.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "`piwardrive-cloud keys add --role <role>`" },
        deviceToken: { type: "http", scheme: "bearer", description: "a device's token" },
      },
      schemas: { Error: schemaOf(errorBodySchema, "output") },
    },
    paths,
  };
}
