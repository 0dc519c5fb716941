import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { kismetLastTime, parseKismetDevice } from "../parsers/parse-kismet-device.js";

export interface KismetRestOptions {
  /** e.g. `http://127.0.0.1:2501` */
  baseUrl: string;
  /** An API key (Kismet 2020-10+), sent as the `KISMET` cookie as Kismet's docs ask of token-only clients. */
  apiKey?: string;
  /** Or an admin login: sent as HTTP Basic once; the `KISMET` session cookie Kismet returns is used after. */
  username?: string;
  password?: string;
  /** First timestamp to ask from: Unix seconds, or negative for "seconds before now" (Kismet's own rule). */
  since?: number;
  timeoutMs?: number;
}

/**
 * Polls a running Kismet for devices that changed: GET `/devices/last-time/{ts}/devices.json`, where `ts`
 * is the newest `last_time` seen so far, so each poll asks only for what changed since the last one.
 * Kismet returns devices active at or after `ts`; those at exactly `ts` already yielded (same last_time)
 * are skipped, so a device is not recorded twice for one sighting. Each device goes through
 * `parseKismetDevice`. HTTP and network failures throw (they are I/O, not input); a body that is not a
 * JSON list is one record refused as `bad_json`.
 */
export class KismetRestPoller {
  private cursor: number;
  private boundary = new Set<string>();
  private sessionCookie: string | null = null;

  constructor(private readonly options: KismetRestOptions) {
    this.cursor = options.since ?? -60;
  }

  /** The timestamp the next poll asks from. */
  get since(): number {
    return this.cursor;
  }

  async *poll(ctx: ParseContext): AsyncGenerator<SourceEvent> {
    const body = await this.fetchChanged();
    let devices: unknown;
    try {
      devices = JSON.parse(body);
    } catch {
      devices = undefined;
    }
    if (!Array.isArray(devices)) {
      yield { type: "record" };
      yield { type: "reject", reason: "bad_json", detail: body.slice(0, 60) };
      return;
    }
    let newest = this.cursor;
    const atNewest = new Set<string>();
    for (const [index, device] of devices.entries()) {
      const lastTime = kismetLastTime(device);
      const key = deviceKey(device);
      if (lastTime !== null && lastTime === this.cursor && this.boundary.has(key)) continue;
      yield* parseKismetDevice(device, ctx, index + 1);
      if (lastTime === null) continue;
      if (lastTime > newest) {
        newest = lastTime;
        atNewest.clear();
      }
      if (lastTime === newest) atNewest.add(key);
    }
    if (newest !== this.cursor) this.boundary = atNewest;
    else for (const key of atNewest) this.boundary.add(key);
    this.cursor = newest;
  }

  private async fetchChanged(): Promise<string> {
    const base = this.options.baseUrl.replace(/\/+$/, "");
    const url = `${base}/devices/last-time/${encodeURIComponent(String(this.cursor))}/devices.json`;
    const headers: Record<string, string> = { accept: "application/json" };
    const cookie = this.sessionCookie ?? this.options.apiKey;
    if (cookie !== undefined && cookie !== null) {
      headers.cookie = `KISMET=${cookie}`;
    } else if (this.options.username !== undefined) {
      const login = `${this.options.username}:${this.options.password ?? ""}`;
      headers.authorization = `Basic ${Buffer.from(login).toString("base64")}`;
    }
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    const session = /(?:^|[;,]\s*)KISMET=([^;,\s]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
    if (session && this.options.apiKey === undefined) this.sessionCookie = session;
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      this.sessionCookie = null;
      throw new Error(`Kismet refused the credentials (HTTP ${response.status}) at ${base}`);
    }
    if (!response.ok) throw new Error(`Kismet answered HTTP ${response.status} at ${url}`);
    return text;
  }
}

function deviceKey(device: unknown): string {
  const record = typeof device === "object" && device !== null ? (device as Record<string, unknown>) : {};
  const key = record["kismet.device.base.key"] ?? record["kismet.device.base.macaddr"];
  return typeof key === "string" ? key : JSON.stringify(key ?? null);
}
