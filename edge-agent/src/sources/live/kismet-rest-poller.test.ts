import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { readFixture } from "../../test-support/fixtures.js";
import { KismetRestPoller } from "./kismet-rest-poller.js";

const ctx: ParseContext = { capturedAt: Date.UTC(2024, 0, 1), now: Date.UTC(2024, 0, 1) };
const real = (): Record<string, unknown> =>
  JSON.parse(
    readFixture("kismet/kismet-2018.08.BETA1_device-record_rtladsb_extracted-from-devices-blob.json"),
  );
/** A Wi-Fi AP on the real device record's keys (the fixtures hold no Wi-Fi device). */
const accessPoint = (mac: string, lastTime: number, ssid: string) => ({
  ...real(),
  "kismet.device.base.phyname": "IEEE802.11",
  "kismet.device.base.type": "Wi-Fi AP",
  "kismet.device.base.key": `key-${mac}`,
  "kismet.device.base.macaddr": mac,
  "kismet.device.base.last_time": lastTime,
  "dot11.device": { "dot11.device.last_beaconed_ssid": ssid },
});

interface Seen {
  path: string;
  cookie: string | undefined;
  authorization: string | undefined;
}

/**
 * A Kismet stand-in on 127.0.0.1: `/devices/last-time/{ts}/devices.json` answers the devices whose
 * last_time >= ts, as Kismet does, and only with the right credentials.
 */
async function fakeKismet(
  devices: Array<Record<string, unknown>>,
  login = { apiKey: "api-key-1", session: "sess-42" },
) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ path: req.url ?? "", cookie: req.headers.cookie, authorization: req.headers.authorization });
    const basic = `Basic ${Buffer.from("kismet:secret").toString("base64")}`;
    const cookieOk =
      req.headers.cookie === `KISMET=${login.apiKey}` || req.headers.cookie === `KISMET=${login.session}`;
    if (!cookieOk && req.headers.authorization !== basic) {
      res.writeHead(401).end("Login required");
      return;
    }
    if (!cookieOk) res.setHeader("set-cookie", `KISMET=${login.session}; Path=/; HttpOnly`);
    const m = /^\/devices\/last-time\/(-?\d+)\/devices\.json$/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const since = Number(m[1]);
    const changed = devices.filter((d) => Number(d["kismet.device.base.last_time"]) >= since);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(changed));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, devices };
}
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function collect(events: AsyncIterable<SourceEvent>) {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const ssids = (events: SourceEvent[]) =>
  events.flatMap((e) => (e.type === "observation" ? [e.observation.ssid] : []));

describe("KismetRestPoller", () => {
  it("asks only for what changed since the newest last_time seen, with the API key cookie", async () => {
    const kismet = await fakeKismet([
      accessPoint("02:00:00:00:00:01", 1700000000, "first"),
      accessPoint("02:00:00:00:00:02", 1700000005, "second"),
      real(),
    ]);
    const poller = new KismetRestPoller({ baseUrl: `${kismet.baseUrl}/`, apiKey: "api-key-1", since: 0 });

    const first = await collect(poller.poll(ctx));
    expect(ssids(first)).toEqual(["first", "second"]);
    expect((await EventTally.of(first)).reasons).toEqual({ unsupported_phy: 1 });
    expect(poller.since).toBe(1700000005);

    kismet.devices.push(accessPoint("02:00:00:00:00:03", 1700000010, "third"));
    const second = await collect(poller.poll(ctx));
    // "second" comes back (last_time == ts) but was already yielded for that sighting.
    expect(ssids(second)).toEqual(["third"]);
    expect((await EventTally.of(second)).records).toBe(1);

    kismet.devices[1] = accessPoint("02:00:00:00:00:02", 1700000020, "second, seen again");
    expect(ssids(await collect(poller.poll(ctx)))).toEqual(["second, seen again"]);

    expect(kismet.seen.map((s) => s.path)).toEqual([
      "/devices/last-time/0/devices.json",
      "/devices/last-time/1700000005/devices.json",
      "/devices/last-time/1700000010/devices.json",
    ]);
    expect(kismet.seen.every((s) => s.cookie === "KISMET=api-key-1" && s.authorization === undefined)).toBe(
      true,
    );
  });

  it("logs in with Basic auth once and then uses the KISMET session cookie", async () => {
    const kismet = await fakeKismet([accessPoint("02:00:00:00:00:01", 1700000000, "a")]);
    const poller = new KismetRestPoller({ baseUrl: kismet.baseUrl, username: "kismet", password: "secret" });
    await collect(poller.poll(ctx));
    await collect(poller.poll(ctx));
    expect(kismet.seen[0]).toMatchObject({ path: "/devices/last-time/-60/devices.json", cookie: undefined });
    expect(kismet.seen[0]?.authorization).toMatch(/^Basic /);
    expect(kismet.seen[1]).toMatchObject({ cookie: "KISMET=sess-42", authorization: undefined });
  });

  it("throws on refused credentials and answers a non-list body with bad_json", async () => {
    const kismet = await fakeKismet([]);
    const wrong = new KismetRestPoller({ baseUrl: kismet.baseUrl, apiKey: "wrong" });
    await expect(collect(wrong.poll(ctx))).rejects.toThrow(/refused the credentials \(HTTP 401\)/);

    const server = createServer((_req, res) => res.end("<html>not json</html>")).listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const poller = new KismetRestPoller({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiKey: "k",
    });
    const tally = await EventTally.of(poller.poll(ctx));
    expect([tally.records, tally.reasons]).toEqual([1, { bad_json: 1 }]);
    expect(poller.since).toBe(-60);
  });
});
