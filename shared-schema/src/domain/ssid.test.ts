import { describe, expect, it } from "vitest";
import { normalizeSsid } from "./ssid.js";

describe("normalizeSsid", () => {
  it.each([[""], ["<hidden>"], ["\\x00"], ["\\x00\\x00\\x00"], ["\u0000\u0000"], [null], [undefined]])(
    "treats %j as hidden",
    (raw) => {
      expect(normalizeSsid(raw)).toBeNull();
    },
  );

  it("keeps every other name exactly, hostile ones included", () => {
    for (const raw of [
      "<script>alert(1)</script>",
      "'quoted'",
      'a,"b"',
      "=cmd|' /C calc'!A0",
      " x ",
      "a\u0000b",
    ]) {
      expect(normalizeSsid(raw)).toBe(raw);
    }
  });
});
