import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllowList } from "../../alerts/webhook-target.js";
import { createApp } from "../../app.js";
import { createApiKey } from "../../services/api-keys.js";
import { sighting } from "../../test-support/batches.js";
import { expectError } from "../../test-support/expect-error.js";
import { landAndMerge } from "../../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../../test-support/test-cloud.js";
import { alertPageResponseSchema, networkDetailResponseSchema } from "./schema.js";

let cloud: TestCloud;
let app: TestCloud["app"];
let analyst: string;
let operator: string;
let analystKeyId: string;
const AP = "a0:aa:aa:00:00:01"; // globally administered (a vendor-assigned BSSID)
const T = 1_750_000_000_000;

const wifi = (seq: number, mac: string, fields: Parameters<typeof sighting>[2] = {}) =>
  sighting(seq, mac, {
    ssid: "CorpNet",
    authMode: "WPA2",
    channel: 6,
    lat: 48.85,
    lon: 2.35,
    seenAt: T + seq,
    ...fields,
  });

beforeAll(async () => {
  cloud = await openTestCloud();
  // the same app with loopback allowed for webhooks (as PIWARDRIVE_WEBHOOK_ALLOW_CIDRS would)
  app = createApp({ ...cloud.deps, webhookAllow: parseAllowList("127.0.0.1/32") });
  const a = await createApiKey(cloud.db, { role: "analyst" });
  analyst = `Bearer ${a.key}`;
  analystKeyId = a.id;
  operator = `Bearer ${(await createApiKey(cloud.db, { role: "operator" })).key}`;
  // known AP, then a batch downgrading it, renaming it and moving it; a twin nearby; a far one
  await landAndMerge(cloud.db, { deviceId: "dev-a", batchSeq: 0 }, [wifi(1, AP)], T);
  await landAndMerge(
    cloud.db,
    { deviceId: "dev-a", batchSeq: 1 },
    [
      wifi(2, AP, { authMode: "OPEN" }),
      wifi(3, AP, { ssid: "CorpNet-Guest" }),
      wifi(4, AP, { channel: 11 }),
      wifi(5, "bb:00:00:00:00:01", { authMode: "OPEN", lat: 48.851 }),
      wifi(6, "cc:00:00:00:00:01", { ssid: "Elsewhere", lat: 10, lon: 10 }),
    ],
    T + 60_000,
  );
});
afterAll(() => cloud.cleanup());

const call = (method: string, path: string, authorization = analyst, body?: unknown) =>
  app.request(path, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

type Page = ReturnType<typeof alertPageResponseSchema.parse>;
const page = async (query: string) => {
  const res = await call("GET", `/v1/alerts${query}`);
  expect(res.status).toBe(200);
  return alertPageResponseSchema.parse(await res.json());
};

describe("GET /v1/alerts", () => {
  it("lists every alert newest first with its evidence, times ISO 8601 UTC", async () => {
    const { alerts, nextCursor } = await page("");
    expect(alerts.map((a) => [a.type, a.subject.id]).sort()).toEqual(
      [
        ["channel_change", AP],
        ["encryption_downgrade", AP],
        ["evil_twin", "bb:00:00:00:00:01"],
        ["ssid_change", AP],
      ].sort(),
    );
    expect(nextCursor).toBeNull();
    const ids = alerts.map((a) => a.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    const downgrade = alerts.find((a) => a.type === "encryption_downgrade");
    expect(downgrade?.evidence).toMatchObject({ known: "WPA2", seen: "OPEN" });
    expect(downgrade?.evidence.sightings[0]).toMatchObject({
      deviceId: "dev-a",
      seq: 2,
      seenAt: new Date(T + 2).toISOString(),
    });
    expect(downgrade?.raisedAt).toBe(new Date(T + 60_000).toISOString());
  });

  it("filters by type, mac, ssid, bbox, time and acknowledgement, each against the full list", async () => {
    const all = (await page("")).alerts;
    const expectIds = async (query: string, keep: (a: Page["alerts"][number]) => boolean) => {
      const ids = (await page(query)).alerts.map((a) => a.id);
      expect(ids, query).toEqual(all.filter(keep).map((a) => a.id));
      expect(ids.length, query).toBeLessThan(all.length + 1);
    };
    await expectIds("?type=evil_twin", (a) => a.type === "evil_twin");
    await expectIds(`?mac=${AP.toUpperCase().replaceAll(":", "-")}`, (a) => a.subject.id === AP);
    await expectIds("?ssid=CorpNet-Guest", (a) => a.ssid === "CorpNet-Guest");
    await expectIds("?bbox=2.3,48.8505,2.4,48.86", (a) => (a.location?.lat ?? 0) > 48.8505);
    await expectIds(`?since=${T + 60_000}`, () => true);
    await expectIds(`?until=${new Date(T + 60_000).toISOString()}`, () => false);
    await expectIds("?acknowledged=true", () => false);
  });

  it("walks keyset pages to the end without repeats", async () => {
    const all = (await page("")).alerts.map((a) => a.id);
    const seen: number[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const p: Page = await page(`?limit=1${cursor === "" ? "" : `&cursor=${cursor}`}`);
      seen.push(...p.alerts.map((a) => a.id));
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  const bad: [string, string][] = [
    ["?colour=red", "colour"],
    ["?type=rogue", "type"],
    ["?mac=not%20a%20mac!", "mac"],
    ["?bbox=1,2,3", "bbox"],
    ["?since=yesterday", "since"],
    ["?since=2&until=1", "until"],
    ["?acknowledged=maybe", "acknowledged"],
    ["?limit=1001", "limit"],
    ["?cursor=bm9wZQ", "cursor"],
    ["?type=a&type=b", "type"],
  ];
  for (const [query, parameter] of bad) {
    it(`${query} -> 400 naming ${parameter}`, async () => {
      const error = await expectError(await call("GET", `/v1/alerts${query}`), 400, "invalid_argument");
      expect(error.message).toContain(`"${parameter}"`);
    });
  }

  it("a cursor from other filters is refused", async () => {
    const first = await page("?limit=1");
    const error = await expectError(
      await call("GET", `/v1/alerts?limit=1&type=evil_twin&cursor=${first.nextCursor}`),
      400,
      "invalid_argument",
    );
    expect(error.message).toContain('"cursor"');
  });

  it("401 without a key or with an unknown one", async () => {
    await expectError(await app.request("/v1/alerts"), 401, "unauthorized");
    await expectError(await call("GET", "/v1/alerts", "Bearer nope"), 401, "unauthorized");
  });
});

describe("POST /v1/alerts/{id}/ack", () => {
  it("records who and when once; a second ack changes nothing; unknown 404, bad id 400", async () => {
    const [alert] = (await page("?type=channel_change")).alerts;
    const first = await call("POST", `/v1/alerts/${alert?.id}/ack`);
    expect(first.status).toBe(200);
    const acked = ((await first.json()) as { alert: Page["alerts"][number] }).alert;
    expect(acked).toMatchObject({ id: alert?.id, acknowledgedBy: analystKeyId });
    expect(Date.parse(acked.acknowledgedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const again = await call("POST", `/v1/alerts/${alert?.id}/ack`, operator);
    expect(((await again.json()) as { alert: unknown }).alert).toEqual(acked);
    expect((await page("?acknowledged=true")).alerts.map((a) => a.id)).toEqual([alert?.id]);
    expect((await page("?acknowledged=false")).alerts.map((a) => a.id)).not.toContain(alert?.id);
    await expectError(await call("POST", "/v1/alerts/999999/ack"), 404, "not_found");
    const error = await expectError(await call("POST", "/v1/alerts/abc/ack"), 400, "invalid_argument");
    expect(error.message).toContain('"id"');
    await expectError(
      await app.request(`/v1/alerts/${alert?.id}/ack`, { method: "POST" }),
      401,
      "unauthorized",
    );
  });
});

describe("GET /v1/networks/{mac} joins the network's alerts", () => {
  it("shows the AP's three alerts, and none on a quiet network", async () => {
    const res = await call("GET", `/v1/networks/${AP}`);
    const detail = networkDetailResponseSchema.parse(await res.json());
    expect(detail.alerts.map((a) => a.type).sort()).toEqual([
      "channel_change",
      "encryption_downgrade",
      "ssid_change",
    ]);
    const quiet = networkDetailResponseSchema.parse(
      await (await call("GET", "/v1/networks/cc:00:00:00:00:01")).json(),
    );
    expect(quiet.alerts).toEqual([]);
  });
});

describe("watchlist and webhooks", () => {
  it("analyst adds, lists and deletes entries; a hit raises an alert; bad fields are named", async () => {
    const res = await call("POST", "/v1/watchlist", analyst, {
      type: "oui",
      value: "DD-DD-DD",
      note: "rogue",
    });
    expect(res.status).toBe(201);
    const { entry } = (await res.json()) as { entry: { id: number; createdBy: string; createdAt: string } };
    expect(entry).toMatchObject({ createdBy: analystKeyId });
    expect(Number.isNaN(Date.parse(entry.createdAt))).toBe(false);
    const listed = (await (await call("GET", "/v1/watchlist")).json()) as { watchlist: { id: number }[] };
    expect(listed.watchlist.map((w) => w.id)).toEqual([entry.id]);

    await landAndMerge(
      cloud.db,
      { deviceId: "dev-a", batchSeq: 2 },
      [wifi(7, "dd:dd:dd:00:00:07")],
      T + 120_000,
    );
    expect((await page("?type=watchlist_hit")).alerts.map((a) => a.subject.id)).toEqual([
      "dd:dd:dd:00:00:07",
    ]);

    for (const [body, field] of [
      [{ type: "colour", value: "x" }, "type"],
      [{ type: "mac", value: "zz" }, "value"],
      [{ type: "ssid", value: "x", extra: 1 }, "extra"],
      [{ type: "ssid" }, "value"],
    ] as const) {
      const error = await expectError(
        await call("POST", "/v1/watchlist", analyst, body),
        400,
        "invalid_argument",
      );
      expect(error.message, JSON.stringify(body)).toContain(field);
    }
    await expectError(await call("POST", "/v1/watchlist", analyst, "{not json"), 400, "invalid_argument");

    expect((await call("DELETE", `/v1/watchlist/${entry.id}`)).status).toBe(204);
    await expectError(await call("DELETE", `/v1/watchlist/${entry.id}`), 404, "not_found");
    // its alert stays: it is history
    expect((await page("?type=watchlist_hit")).alerts).toHaveLength(1);
  });

  it("a webhook on an entry needs the operator role; the URL is checked before anything is stored", async () => {
    const body = { type: "ssid", value: "Pineapple", webhook: { url: "http://127.0.0.1:9/hook" } };
    await expectError(await call("POST", "/v1/watchlist", analyst, body), 403, "forbidden");
    const refused = await expectError(
      await call("POST", "/v1/watchlist", operator, { ...body, webhook: { url: "http://10.0.0.5/hook" } }),
      400,
      "invalid_argument",
    );
    expect(refused.message).toMatch(/url: 10\.0\.0\.5 is a loopback, link-local or private address/);
    const before = (await (await call("GET", "/v1/watchlist")).json()) as { watchlist: unknown[] };
    const made = await call("POST", "/v1/watchlist", operator, body);
    expect(made.status).toBe(201);
    const out = (await made.json()) as {
      entry: { id: number };
      webhook: { watchlistId: number; secret: string };
    };
    expect(out.webhook).toMatchObject({
      watchlistId: out.entry.id,
      secret: expect.stringMatching(/^whsec_/),
    });
    const after = (await (await call("GET", "/v1/watchlist")).json()) as { watchlist: unknown[] };
    expect(after.watchlist).toHaveLength(before.watchlist.length + 1);
  });

  it("webhook admin is for operators: secret shown once, private URL refused naming why, deliveries listed", async () => {
    await expectError(await call("GET", "/v1/webhooks"), 403, "forbidden");
    await expectError(
      await call("POST", "/v1/webhooks", analyst, { url: "https://93.184.215.14/" }),
      403,
      "forbidden",
    );
    await expectError(await call("GET", "/v1/webhooks/deliveries"), 403, "forbidden");
    for (const [url, why] of [
      ["http://169.254.169.254/latest/meta-data", /loopback, link-local or private/],
      ["http://192.168.1.1/", /loopback, link-local or private/],
      ["ftp://example.com/", /http or https/],
      ["not a url", /not a URL/],
    ] as const) {
      const error = await expectError(
        await call("POST", "/v1/webhooks", operator, { url }),
        400,
        "invalid_argument",
      );
      expect(error.message, url).toMatch(why);
    }
    const missing = await expectError(
      await call("POST", "/v1/webhooks", operator, { url: "http://127.0.0.1:9/", watchlistId: 424242 }),
      400,
      "invalid_argument",
    );
    expect(missing.message).toContain('"watchlistId"');

    const res = await call("POST", "/v1/webhooks", operator, { url: "http://127.0.0.1:9/all" });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { webhook: { id: number; url: string }; secret: string };
    expect(made.secret).toMatch(/^whsec_/);
    const listed = await (await call("GET", "/v1/webhooks", operator)).text();
    expect(listed).toContain(made.webhook.url);
    expect(listed).not.toContain(made.secret);
    expect(listed).not.toContain("whsec_");

    // a hook for every alert: the next alert gets a pending delivery, visible to operators
    await landAndMerge(
      cloud.db,
      { deviceId: "dev-a", batchSeq: 3 },
      [wifi(8, AP, { channel: 1 })],
      T + 180_000,
    );
    const deliveries = (await (
      await call("GET", "/v1/webhooks/deliveries?status=pending", operator)
    ).json()) as {
      deliveries: { webhookId: number; status: string; url: string }[];
    };
    expect(deliveries.deliveries).toContainEqual(
      expect.objectContaining({ webhookId: made.webhook.id, status: "pending", url: made.webhook.url }),
    );
    const badStatus = await expectError(
      await call("GET", "/v1/webhooks/deliveries?status=lost", operator),
      400,
      "invalid_argument",
    );
    expect(badStatus.message).toContain('"status"');

    expect((await call("DELETE", `/v1/webhooks/${made.webhook.id}`, operator)).status).toBe(204);
    const disabled = (await (await call("GET", "/v1/webhooks", operator)).json()) as {
      webhooks: { id: number; disabledAt: string | null }[];
    };
    expect(disabled.webhooks.find((w) => w.id === made.webhook.id)?.disabledAt).not.toBeNull();
    await expectError(await call("DELETE", "/v1/webhooks/999999", operator), 404, "not_found");
  });
});
