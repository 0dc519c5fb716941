import { z } from "zod";

/** The idempotency key of a batch: what the landing table is keyed by and what a merge job carries. */
export const batchKeySchema = z.object({
  deviceId: z.string().min(1).max(64),
  runId: z.string().min(1).max(64),
  batchSeq: z.number().int().nonnegative(),
});
export type BatchKey = z.infer<typeof batchKeySchema>;

export const keyArgs = (k: BatchKey) => [k.deviceId, k.runId, k.batchSeq] as const;

export const KEY_WHERE = "device_id = ? AND run_id = ? AND batch_seq = ?";
