import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeMac } from "./mac.js";

describe("normalizeMac", () => {
  it("lower-cases and colon-separates the accepted spellings", () => {
    for (const raw of ["AC:22:05:DB:4D:5B", "ac-22-05-db-4d-5b", "AC2205DB4D5B", " ac:22:05:db:4d:5b "]) {
      expect(normalizeMac(raw)).toEqual({ ok: true, value: "ac:22:05:db:4d:5b" });
    }
  });

  it("refuses redacted, malformed and missing values with their reasons", () => {
    expect(normalizeMac("xx:xx:xx:xx:xx:xx")).toEqual({ ok: false, reason: "mac_redacted" });
    expect(normalizeMac("AC:22:05:**:**:**")).toEqual({ ok: false, reason: "mac_redacted" });
    expect(normalizeMac("ac:22:05:db:4d")).toEqual({ ok: false, reason: "mac_malformed" });
    expect(normalizeMac("ac:22-05:db:4d:5b")).toEqual({ ok: false, reason: "mac_malformed" });
    expect(normalizeMac("")).toEqual({ ok: false, reason: "mac_missing" });
  });

  it("either refuses a value or returns a canonical 48-bit MAC", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const result = normalizeMac(raw);
        if (result.ok) expect(result.value).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        else expect(["mac_missing", "mac_redacted", "mac_malformed"]).toContain(result.reason);
      }),
    );
  });
});
