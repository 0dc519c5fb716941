import { Hono } from "hono";
import { z } from "zod";
import { addWatch, listWatch, removeWatch, WATCH_TYPES } from "../../alerts/watchlist.js";
import { resolveWebhookTarget } from "../../alerts/webhook-target.js";
import { createWebhook } from "../../alerts/webhooks.js";
import { ApiError } from "../../api-error.js";
import type { AppEnv } from "../../app-env.js";
import { roleAtLeast } from "../../services/api-keys.js";
import { readId, readJsonBody } from "../json-body.js";
import type { AnalystRouteDeps } from "./index.js";

export const watchRequestSchema = z.strictObject({
  type: z.enum(WATCH_TYPES),
  value: z.string(),
  note: z.string().max(200).nullish(),
  /** A hook for this entry's hits only; making one needs the operator role (it sends requests out). */
  webhook: z.strictObject({ url: z.string().max(2000) }).optional(),
});

/**
 * GET|POST /v1/watchlist and DELETE /v1/watchlist/{id} (analyst): what the merge watches for. A hit raises a
 * watchlist_hit alert. POST may carry `webhook: {url}` (operator or higher: 403 otherwise); its secret is in
 * the 201 answer and never again. DELETE removes the entry and disables its hooks; its alerts stay.
 */
export function watchlistRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>()
    .get("/v1/watchlist", deps.guard, async (c) => c.json({ watchlist: await listWatch(deps.db) }))
    .post("/v1/watchlist", deps.guard, async (c) => {
      const body = await readJsonBody(c, watchRequestSchema);
      const key = c.get("apiKey");
      if (body.webhook !== undefined) {
        if (!roleAtLeast(key.role, "operator"))
          throw new ApiError(403, "forbidden", "a webhook needs the operator role or higher");
        // checked before the entry exists, so a refused URL leaves nothing behind
        await resolveWebhookTarget(body.webhook.url, deps.webhookAllow);
      }
      const entry = await addWatch(deps.db, {
        type: body.type,
        value: body.value,
        note: body.note ?? null,
        createdBy: key.id,
      });
      const webhook =
        body.webhook === undefined
          ? undefined
          : await createWebhook(deps.db, { url: body.webhook.url, watchlistId: entry.id }, deps.webhookAllow);
      return c.json({ entry, ...(webhook === undefined ? {} : { webhook }) }, 201);
    })
    .delete("/v1/watchlist/:id", deps.guard, async (c) => {
      await removeWatch(deps.db, readId(c));
      return c.body(null, 204);
    });
}
