import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUTH_MODES, normalizeAuthMode } from "./auth-mode.js";

describe("normalizeAuthMode", () => {
  it.each([
    // iw / iwlist tokens: element name followed by its AKM suites
    ["RSN PSK", "WPA2"],
    ["RSN SAE", "WPA3"],
    ["RSN PSK SAE", "WPA2/WPA3"],
    ["RSN PSK WPA PSK", "WPA/WPA2"],
    ["WPA PSK", "WPA"],
    ["RSN 802.1X", "WPA2-EAP"],
    ["RSN 802.1X SUITE-B", "WPA3-EAP"],
    ["RSN OWE", "OWE"],
    ["RSN", "WPA2"],
    ["WEP", "WEP"],
    ["OPEN", "OPEN"],
    // nmcli
    ["WPA1 WPA2", "WPA/WPA2"],
    ["WPA2 WPA3", "WPA2/WPA3"],
    ["WPA2 802.1X", "WPA2-EAP"],
    ["--", "OPEN"],
    ["", "OPEN"],
    // WiGLE
    ["[WPA2-PSK-CCMP][ESS]", "WPA2"],
    ["[RSN-SAE-CCMP][ESS]", "WPA3"],
    ["[RSN-PSK+SAE-CCMP][ESS]", "WPA2/WPA3"],
    ["[WPA2_WPA3_PSK]", "WPA2/WPA3"],
    ["[WPA_WPA2_PSK]", "WPA/WPA2"],
    ["[ESS][WPS]", "OPEN"],
    ["Misc [BLE]", "UNKNOWN"],
  ])("maps %j to %s", (raw, expected) => {
    expect(normalizeAuthMode(raw)).toBe(expected);
  });

  it("maps null and undefined to UNKNOWN", () => {
    expect(normalizeAuthMode(null)).toBe("UNKNOWN");
    expect(normalizeAuthMode(undefined)).toBe("UNKNOWN");
  });

  it("always answers with a member of AUTH_MODES", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        expect(AUTH_MODES).toContain(normalizeAuthMode(raw));
      }),
    );
  });
});
