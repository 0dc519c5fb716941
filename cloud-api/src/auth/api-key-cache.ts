import type { Client } from "@libsql/client";
import { LRUCache } from "lru-cache";
import { type ApiKey, findApiKey } from "../services/api-keys.js";
import { hashSecret } from "./secret.js";

export interface ApiKeyCacheOptions {
  /** How long a verified key is trusted without reading api_keys again: the revocation bound. */
  ttlMs: number;
  /** Keys held at most (least recently used dropped first). */
  max: number;
}

/** Counts lookups answered from memory (`hit`) and from the database (`miss`). */
export type KeyLookupCounter = (result: "hit" | "miss") => void;

/**
 * findApiKey with a short memory: a key that verified (found, not revoked) is trusted for `ttlMs`, so a
 * revoked key keeps working for at most that long in this process. Unknown and revoked keys are never
 * remembered (each try reads the database, as without a cache). Entries are keyed by the secret's
 * SHA-256, never the secret itself.
 */
export function cachedApiKeyLookup(
  db: Client,
  options: ApiKeyCacheOptions,
  count: KeyLookupCounter = () => {},
): (secret: string) => Promise<ApiKey | undefined> {
  const verified = new LRUCache<string, ApiKey>({ max: options.max, ttl: options.ttlMs });
  return async (secret) => {
    const hash = hashSecret(secret);
    const known = verified.get(hash);
    if (known !== undefined) {
      count("hit");
      return known;
    }
    count("miss");
    const key = await findApiKey(db, secret);
    if (key !== undefined && key.revokedAt === null) verified.set(hash, key);
    return key;
  };
}
