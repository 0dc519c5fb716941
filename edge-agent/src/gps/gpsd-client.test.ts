import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import { afterEach, describe, expect, it } from "vitest";
import { readFixture } from "../test-support/fixtures.js";
import { GPSD_WATCH_COMMAND, GpsdClient } from "./gpsd-client.js";

const REGRESS = "gpsd-json/gpsd-regress_bu353s4.log.chk";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A gpsd stand-in: each connection gets the next part of the fixture, line by line, after its ?WATCH. */
async function replayServer(parts: string[][], { dropAfterPart }: { dropAfterPart: boolean }) {
  const received: string[] = [];
  let connection = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const lines = parts[connection] ?? [];
    const isLast = connection === parts.length - 1;
    connection++;
    socket.write('{"class":"VERSION","release":"3.25","proto_major":3,"proto_minor":15}\r\n');
    socket.once("data", async (command) => {
      received.push(command.toString("utf8"));
      // Line by line, each flushed to the kernel before the next, so the cut below loses nothing sent.
      for (const line of lines) await new Promise((resolve) => socket.write(`${line}\n`, resolve));
      // The server side kills the connection in the middle of the stream, as a gpsd restart does.
      if (dropAfterPart && !isLast) socket.destroy();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, received, connections: () => connection };
}

describe("GpsdClient", () => {
  it("receives every TPV fix from both halves of a stream cut by a disconnect", async () => {
    const lines = readFixture(REGRESS)
      .split("\n")
      .filter((l) => l !== "");
    const half = Math.floor(lines.length / 2);
    const timed = (part: string[]) =>
      part
        .filter((l) => l.startsWith('{"class":"TPV"') && l.includes('"time"'))
        .map((l) => /"time":"([^"]+)"/.exec(l)?.[1]);
    const expected = [...timed(lines.slice(0, half)), ...timed(lines.slice(half))];
    expect(timed(lines.slice(0, half)).length).toBeGreaterThan(0);
    expect(timed(lines.slice(half)).length).toBeGreaterThan(0);

    const server = await replayServer([lines.slice(0, half), lines.slice(half)], { dropAfterPart: true });
    const client = new GpsdClient({ port: server.port, minBackoffMs: 5, maxBackoffMs: 50 });
    cleanups.unshift(() => client.close());
    const fixes: GpsFixRecord[] = [];
    const disconnects: number[] = [];
    client.on("fix", (fix) => fixes.push(fix));
    client.on("disconnected", ({ reconnectInMs }) => disconnects.push(reconnectInMs));
    const allFixes = new Promise<void>((resolve) => {
      client.on("fix", () => {
        if (fixes.length === expected.length) resolve();
      });
    });
    client.start();
    await allFixes;

    expect(fixes.map((f) => new Date(f.fixedAt).toISOString())).toEqual(expected);
    expect(client.connections).toBe(2);
    expect(disconnects).toHaveLength(1);
    expect(server.received).toEqual([GPSD_WATCH_COMMAND, GPSD_WATCH_COMMAND]);
  });

  it("backs off exponentially with jitter, capped", () => {
    const low = new GpsdClient({ minBackoffMs: 100, maxBackoffMs: 1000, random: () => 0 });
    const high = new GpsdClient({ minBackoffMs: 100, maxBackoffMs: 1000, random: () => 1 });
    expect([0, 1, 2, 3, 4, 10].map((a) => high.backoffMs(a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((a) => low.backoffMs(a))).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it("keeps retrying while gpsd is down and stops after close()", async () => {
    // A port with nothing listening: take one from a server and close it.
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const client = new GpsdClient({ port, minBackoffMs: 5, maxBackoffMs: 20 });
    const delays: number[] = [];
    const threeFailures = new Promise<void>((resolve) => {
      client.on("disconnected", ({ reconnectInMs }) => {
        delays.push(reconnectInMs);
        if (delays.length === 3) resolve();
      });
    });
    client.start();
    await threeFailures;
    await client.close();
    const after = delays.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(delays.length).toBe(after);
    expect(delays.every((d) => d >= 2 && d <= 20)).toBe(true);
    expect(client.connections).toBe(0);
  });
});
