import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { readFixture } from "../../test-support/fixtures.js";
import { kismetLastTime, parseKismetDevice } from "./parse-kismet-device.js";

const DEVICE_JSON = "kismet/kismet-2018.08.BETA1_device-record_rtladsb_extracted-from-devices-blob.json";
const real = (): Record<string, unknown> => JSON.parse(readFixture(DEVICE_JSON)) as Record<string, unknown>;
const ctx: ParseContext = { capturedAt: Date.UTC(2022, 4, 13), now: Date.UTC(2022, 4, 13) };

/**
 * A Wi-Fi access point record. The fixtures hold no Wi-Fi device, so this starts from the real record's
 * `kismet.device.base.*` keys and adds what Kismet writes for an AP, with Kismet's own key names
 * (2020+ layout: geopoint, last_beaconed_ssid_record).
 */
const accessPoint = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...real(),
  "kismet.device.base.phyname": "IEEE802.11",
  "kismet.device.base.type": "Wi-Fi AP",
  "kismet.device.base.basic_type_set": 1,
  "kismet.device.base.macaddr": "22:C0:06:72:93:BC",
  "kismet.device.base.name": "SM-N975W4600",
  "kismet.device.base.crypt": "WPA2 WPA2-PSK AES-CCMP",
  "kismet.device.base.channel": "6",
  "kismet.device.base.frequency": 2437000,
  "kismet.device.base.last_time": 1652374612,
  "kismet.device.base.signal": {
    "kismet.common.signal.type": "dbm",
    "kismet.common.signal.last_signal": -67,
    "kismet.common.signal.max_signal": -52,
  },
  "kismet.device.base.location": {
    "kismet.common.location.avg_loc": {
      "kismet.common.location.geopoint": [-71.207902, 46.812101],
      "kismet.common.location.alt": 61.4,
      "kismet.common.location.fix": 3,
    },
  },
  "dot11.device": {
    "dot11.device.last_beaconed_ssid_record": {
      "dot11.advertisedssid.ssid": "SM-N975W4600",
      "dot11.advertisedssid.cloaked": 0,
      "dot11.advertisedssid.last_time": 1652374612,
    },
  },
  ...overrides,
});

const run = (json: unknown) => [...parseKismetDevice(json, ctx, 7)];
const outcome = (json: unknown): SourceEvent | undefined => run(json)[1];

describe("parseKismetDevice", () => {
  it("refuses the real RTLADSB record as unsupported_phy, as one record", () => {
    expect(run(real())).toEqual([
      { type: "record" },
      { type: "reject", reason: "unsupported_phy", line: 7, detail: "RTLADSB" },
    ]);
    expect(kismetLastTime(real())).toBe(1545449762);
  });

  it("reads a Wi-Fi AP: SSID record, crypt, kHz frequency, max signal, geopoint [lon, lat]", () => {
    expect(outcome(accessPoint())).toEqual({
      type: "observation",
      observation: {
        kind: "wifi",
        mac: "22:c0:06:72:93:bc",
        ssid: "SM-N975W4600",
        authMode: "WPA2",
        capabilities: "WPA2 WPA2-PSK AES-CCMP",
        seenAt: 1652374612000,
        channel: 6,
        frequencyMhz: 2437,
        rssiDbm: -52,
        rssiEstimated: false,
        lat: 46.812101,
        lon: -71.207902,
        altitudeM: 61.4,
        accuracyM: null,
        rcois: null,
        mfgrId: null,
        source: "kismet",
      },
    });
  });

  it("reads the 2018 layout: last_beaconed_ssid string and lat/lon location fields", () => {
    const old = accessPoint({
      "dot11.device": { "dot11.device.last_beaconed_ssid": "Axion_2G_Guest" },
      "kismet.device.base.location": {
        "kismet.common.location.avg_loc": {
          "kismet.common.location.lat": 46.81,
          "kismet.common.location.lon": -71.2,
          "kismet.common.location.fix": 2,
        },
      },
      "kismet.device.base.channel": "",
      "kismet.device.base.frequency": 5180000,
    });
    expect(outcome(old)).toMatchObject({
      observation: { ssid: "Axion_2G_Guest", lat: 46.81, lon: -71.2, channel: 36 },
    });
  });

  it("takes the newest advertised SSID, honours cloaking, and drops 0,0 / no-fix locations", () => {
    const map = accessPoint({
      "dot11.device": {
        "dot11.device.advertised_ssid_map": [
          { "dot11.advertisedssid.ssid": "old name", "dot11.advertisedssid.last_time": 1 },
          {
            "dot11.advertisedssid.ssid": "",
            "dot11.advertisedssid.cloaked": 1,
            "dot11.advertisedssid.last_time": 2,
          },
        ],
      },
      "kismet.device.base.location": {
        "kismet.common.location.avg_loc": {
          "kismet.common.location.geopoint": [0, 0],
          "kismet.common.location.fix": 3,
        },
        "kismet.common.location.last": {
          "kismet.common.location.geopoint": [-71.2, 46.8],
          "kismet.common.location.fix": 1,
        },
      },
    });
    expect(outcome(map)).toMatchObject({ observation: { ssid: null, lat: null, lon: null } });
  });

  it("refuses Wi-Fi clients and maps Bluetooth to bt / ble", () => {
    expect(
      outcome(
        accessPoint({ "kismet.device.base.type": "Wi-Fi Client", "kismet.device.base.basic_type_set": 2 }),
      ),
    ).toMatchObject({
      reason: "wifi_client",
    });
    const bt = { "kismet.device.base.phyname": "Bluetooth", "dot11.device": undefined };
    expect(outcome(accessPoint({ ...bt, "kismet.device.base.type": "BR/EDR" }))).toMatchObject({
      observation: { kind: "bt", ssid: "SM-N975W4600", channel: null },
    });
    expect(outcome(accessPoint({ ...bt, "kismet.device.base.type": "BTLE" }))).toMatchObject({
      observation: { kind: "ble" },
    });
  });

  it("refuses malformed MACs, missing and implausible times", () => {
    expect(outcome(accessPoint({ "kismet.device.base.macaddr": "13:8E:C2" }))).toMatchObject({
      reason: "mac_malformed",
    });
    expect(outcome(accessPoint({ "kismet.device.base.last_time": 0 }))).toMatchObject({ reason: "no_time" });
    expect(outcome(accessPoint({ "kismet.device.base.last_time": 12 }))).toMatchObject({
      reason: "time_too_old",
    });
  });

  it("keeps a hostile SSID exactly", () => {
    const ssid = "<script>\"x\",'=cmd'\u0000</script>";
    const ap = accessPoint({ "dot11.device": { "dot11.device.last_beaconed_ssid": ssid } });
    expect(outcome(ap)).toMatchObject({ observation: { ssid } });
  });

  it("never throws on arbitrary JSON and always answers the record", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.anything(), fc.constant(accessPoint())),
        fc.dictionary(fc.constantFrom(...Object.keys(accessPoint())), fc.jsonValue()),
        (value, overrides) => {
          for (const input of [value, accessPoint(overrides)]) {
            const tally = new EventTally();
            for (const e of parseKismetDevice(input, ctx)) tally.add(e);
            expect([tally.records, tally.observations + tally.rejected, tally.pendingRecords]).toEqual([
              1, 1, 0,
            ]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
