import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../services/api-keys.js";
import { expectError } from "../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

let cloud: TestCloud;
beforeEach(async () => {
  cloud = await openTestCloud();
});
afterEach(() => cloud.cleanup());

const basic = (key: string) => `Basic ${Buffer.from(`ops:${key}`).toString("base64")}`;

describe("bull-board at /admin/queues", () => {
  it("asks a browser for credentials (401 with a Basic challenge)", async () => {
    const res = await cloud.app.request("/admin/queues");
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="piwardrive"/);
    await expectError(res, 401, "unauthorized");
  });

  it("refuses an analyst key with 403", async () => {
    const { key } = await createApiKey(cloud.db, { role: "analyst" });
    await expectError(
      await cloud.app.request("/admin/queues", { headers: { authorization: basic(key) } }),
      403,
      "forbidden",
    );
  });

  it("serves the board and its API to an operator (Basic) and an admin (Bearer)", async () => {
    const operator = await createApiKey(cloud.db, { role: "operator" });
    const page = await cloud.app.request("/admin/queues", {
      headers: { authorization: basic(operator.key) },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const admin = await createApiKey(cloud.db, { role: "admin" });
    const api = await cloud.app.request("/admin/queues/api/queues", {
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toEqual(["{merge}"]);
  });
});
