import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { credentialFrom, hashSecret, newSecret } from "./secret.js";

describe("secrets", () => {
  it("are 32 random bytes in base64url and stored as their SHA-256", () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
    expect(hashSecret(a)).toBe(createHash("sha256").update(a).digest("hex"));
  });

  it("are read from Bearer, and from the Basic password only where allowed", () => {
    const basic = `Basic ${Buffer.from("anyone:s3cr:et").toString("base64")}`;
    expect(credentialFrom("Bearer abc", false)).toBe("abc");
    expect(credentialFrom("bearer   abc", false)).toBe("abc");
    expect(credentialFrom(basic, true)).toBe("s3cr:et");
    expect(credentialFrom(basic, false)).toBeUndefined();
    expect(credentialFrom(`Basic ${Buffer.from("no-colon").toString("base64")}`, true)).toBeUndefined();
    expect(credentialFrom("Bearer", false)).toBeUndefined();
    expect(credentialFrom(undefined, true)).toBeUndefined();
  });
});
