import type { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import { Hono } from "hono";
import { z } from "zod";
import { createWebhook, disableWebhook, listDeliveries, listWebhooks } from "../../alerts/webhooks.js";
import { invalid, parseLimit } from "../../analyst/query-params.js";
import type { AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { InvalidArgumentError } from "../../errors.js";
import { readId, readJsonBody } from "../json-body.js";

export const webhookRequestSchema = z.strictObject({
  url: z.string().max(2000),
  /** null or absent: every alert; otherwise only this watchlist entry's hits. */
  watchlistId: z.number().int().positive().nullish(),
});

const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

/**
 * Webhook admin (operator): GET|POST /v1/webhooks, DELETE /v1/webhooks/{id} (disables it; its deliveries
 * stay visible), GET /v1/webhooks/deliveries?status=&limit= (what was sent where and what went wrong).
 * POST checks the URL (no loopback, link-local or private target unless allowed: a 400 says which) and
 * answers the signing secret, the only time it is shown.
 */
export function webhooksRoute(deps: { db: Client; webhookAllow: BlockList }) {
  const operator = requireRole(deps.db, "operator");
  return new Hono<AppEnv>()
    .get("/v1/webhooks", operator, async (c) => c.json({ webhooks: await listWebhooks(deps.db) }))
    .post("/v1/webhooks", operator, async (c) => {
      const body = await readJsonBody(c, webhookRequestSchema);
      const watchlistId = body.watchlistId ?? null;
      if (watchlistId !== null) {
        const rs = await deps.db.execute({
          sql: "SELECT 1 FROM watchlist WHERE id = ?",
          args: [watchlistId],
        });
        if (rs.rows.length === 0)
          throw new InvalidArgumentError(`field "watchlistId": no watchlist entry ${watchlistId}`);
      }
      const { secret, ...webhook } = await createWebhook(
        deps.db,
        { url: body.url, watchlistId },
        deps.webhookAllow,
      );
      return c.json({ webhook, secret }, 201);
    })
    .get("/v1/webhooks/deliveries", operator, async (c) => {
      const params = c.req.query();
      for (const name of Object.keys(params))
        if (name !== "status" && name !== "limit")
          throw invalid(name, "unknown parameter (allowed: status, limit)");
      const status = params.status;
      if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status))
        throw invalid("status", `expected one of ${DELIVERY_STATUSES.join(", ")}`);
      const deliveries = await listDeliveries(deps.db, {
        ...(status === undefined ? {} : { status }),
        limit: parseLimit(params.limit),
      });
      return c.json({ deliveries });
    })
    .delete("/v1/webhooks/:id", operator, async (c) => {
      await disableWebhook(deps.db, readId(c));
      return c.body(null, 204);
    });
}
