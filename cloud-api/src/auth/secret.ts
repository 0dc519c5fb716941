import * as crypto from "node:crypto";

/** A fresh bearer secret: 32 random bytes, base64url (43 characters). Shown once, never stored. */
export function newSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/**
 * What the database keeps: SHA-256 hex of the secret. Lookups go by this hash through a unique index, so
 * no secret is ever compared character by character (no timing oracle) and a leaked table reveals no token.
 */
export const hashSecret: (secret: string) => string =
  // crypto.hash (Node >= 20.12), one call instead of a Hash object: every API request hashes its key
  typeof crypto.hash === "function"
    ? (secret) => crypto.hash("sha256", secret, "hex")
    : (secret) => crypto.createHash("sha256").update(secret, "utf8").digest("hex");

/** The credential in `Authorization: Bearer <secret>` or the password of `Authorization: Basic ...`. */
export function credentialFrom(header: string | undefined, allowBasic: boolean): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (value === undefined || value === "") return undefined;
  if (scheme?.toLowerCase() === "bearer") return value;
  if (allowBasic && scheme?.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const password = colon < 0 ? "" : decoded.slice(colon + 1);
    return password === "" ? undefined : password;
  }
  return undefined;
}
