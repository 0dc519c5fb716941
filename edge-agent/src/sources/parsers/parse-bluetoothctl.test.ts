import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readFixture } from "../../test-support/fixtures.js";
import {
  allFixtureFiles,
  expectRecordPairs,
  HOSTILE_NAMES,
  mutatedText,
  summarize,
  testContext,
} from "../../test-support/parser-properties.js";
import { stripAnsi } from "../files/text-lines.js";
import { looksLikeBluetoothctl, parseBluetoothctl } from "./parse-bluetoothctl.js";

const INFO = "bluetooth/jc_generic_bluetoothctl_device.out";
const parse = (text: string) => summarize(parseBluetoothctl(text, testContext));
const color = (tag: string) => `\u001b[0;93m${tag}\u001b[0m`;

describe("parseBluetoothctl on `bluetoothctl info`", () => {
  it("reads the one device of the fixture: name, RSSI, and Class makes it classic bt", () => {
    const text = readFixture(INFO);
    expect(text.endsWith("\n")).toBe(false);
    expect(text.match(/^Device /gm)).toHaveLength(1);
    const { records, observations, rejects } = parse(text);
    expect([records, rejects]).toEqual([1, []]);
    expect(observations).toEqual([
      expect.objectContaining({
        mac: "eb:06:ef:62:b3:19",
        kind: "bt",
        ssid: "TaoTronics TT-BH026",
        rssiDbm: -52,
        seenAt: testContext.capturedAt,
        source: "bluetoothctl",
        lat: null,
        lon: null,
      }),
    ]);
  });

  it("reads concatenated info blocks, `devices` lines, newer RSSI spelling and refuses unknown devices", () => {
    const text = [
      "Device 00:11:22:33:44:55 (random)",
      "\tName: <script>x</script>",
      "\tAppearance: 0x03c1",
      "\tRSSI: 0xffffffc4 (-60)",
      "Device 00:11:22:33:44:66 not available",
      "Device 00:11:22:33:44:77 Living Room TV",
      "Device 00:11:22:33:44:88 (public)",
      "\tClass: 0x005a020c",
      "\tRSSI: 0xffc4",
      "Device XX:XX:XX:XX:XX:XX (public)",
    ].join("\n");
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(5);
    expect(observations.map((o) => [o.mac, o.kind, o.ssid, o.rssiDbm])).toEqual([
      ["00:11:22:33:44:55", "ble", "<script>x</script>", -60],
      ["00:11:22:33:44:77", "ble", "Living Room TV", null],
      ["00:11:22:33:44:88", "bt", null, -60],
    ]);
    expect(rejects.map((r) => [r.reason, r.line])).toEqual([
      ["device_not_available", 5],
      ["mac_redacted", 10],
    ]);
  });

  it("keeps hostile names exactly", () => {
    for (const name of [...HOSTILE_NAMES, "a\u0000b", "x: y"]) {
      const [obs] = parse(
        `Device 00:11:22:33:44:55 (public)\n        Name: ${name}\n        RSSI: -40`,
      ).observations;
      expect(obs?.ssid).toBe(name);
    }
  });
});

describe("parseBluetoothctl on a scan session", () => {
  const session = [
    "[bluetooth]# scan on",
    "Discovery started",
    `[${color("CHG")}] Controller 00:1A:7D:DA:71:13 Discovering: yes`,
    `[${color("NEW")}] Device 4C:87:5D:0B:2F:3A 4C-87-5D-0B-2F-3A`,
    `\r\u001b[K[${color("NEW")}] Device F4:4E:FC:11:22:33 JBL Flip 5`,
    `[bluetooth]# [${color("CHG")}] Device F4:4E:FC:11:22:33 RSSI: -52`,
    `[${color("CHG")}] Device 4C:87:5D:0B:2F:3A ManufacturerData Key: 0x004c`,
    `[${color("CHG")}] Device 4C:87:5D:0B:2F:3A Class: 0x00240404`,
    `[${color("CHG")}] Device 4C:87:5D:0B:2F:3A RSSI: 0xffffffc4 (-60)`,
    `[${color("DEL")}] Device 11:22:33:44:55:66 Gone`,
    `[${color("CHG")}] Device 4C:87:5D:0B:2F:3A RSSI: loud`,
  ].join("\n");

  it("yields one record per [NEW] line and per RSSI change, through colours and prompts", () => {
    const { records, observations, rejects } = parse(session);
    expect(records).toBe(5);
    expect(observations.map((o) => [o.mac, o.kind, o.ssid, o.rssiDbm])).toEqual([
      ["4c:87:5d:0b:2f:3a", "ble", null, null],
      ["f4:4e:fc:11:22:33", "ble", "JBL Flip 5", null],
      ["f4:4e:fc:11:22:33", "ble", "JBL Flip 5", -52],
      ["4c:87:5d:0b:2f:3a", "bt", null, -60],
    ]);
    expect(rejects.map((r) => r.reason)).toEqual(["signal_invalid"]);
  });

  it("is recognised by the sniffer", () => {
    expect(looksLikeBluetoothctl(session)).toBe(true);
  });
});

describe("parseBluetoothctl never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseBluetoothctl(text, testContext)]);
      }),
    );
  });

  it.each([INFO])("on mutated %s", (file) => {
    fc.assert(
      fc.property(mutatedText(readFixture(file)), (text) => {
        const events = [...parseBluetoothctl(text, testContext)];
        expectRecordPairs(events);
        const headers = text.split(/\r\n|\r|\n/).filter((line) => /^Device /.test(stripAnsi(line)));
        expect(summarize(events).records).toBe(headers.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe("looksLikeBluetoothctl", () => {
  it("claims the bluetoothctl fixture and no other fixture", () => {
    for (const file of allFixtureFiles()) {
      expect([file, looksLikeBluetoothctl(readFixture(file).slice(0, 4096))]).toEqual([file, file === INFO]);
    }
  });
});
