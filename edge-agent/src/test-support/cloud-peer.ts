import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type DeltaBatch,
  decodeDeltaBatch,
  WIRE_CONTENT_TYPE,
  WireError,
} from "@piwardrive/shared-schema/wire";

/**
 * A real HTTP server on 127.0.0.1 playing the cloud's side of POST /v1/ingest, for sync tests: it checks
 * the token and content type, decodes with decodeDeltaBatch, lands each batch key (device, run,
 * batch_seq) once and answers 202 accepted / duplicate. `fault` lets a test answer otherwise.
 */
export type Fault =
  | { status: number; retryAfter?: string; body?: unknown }
  /** Destroy the socket without an answer, before or after landing the batch. */
  | { reset: "before" | "after" }
  /** Answer normally, but only once `until` settles (to reorder answers). */
  | { until: Promise<unknown> };

export interface PeerRequest {
  /** performance.now() at arrival (for gaps) and Date.now() (to compare with persisted times). */
  at: number;
  wallAt: number;
  batch: DeltaBatch | null;
  status: number | "reset";
  bytes: number;
  headers: IncomingHttpHeaders;
}

export interface CloudPeer {
  url: string;
  token: string;
  requests: PeerRequest[];
  /** `run:seq` -> how many accepted batches carried it (1 means exactly once). */
  landed: Map<string, number>;
  /** Called for each decoded batch; return a Fault to misbehave. */
  fault: (batch: DeltaBatch, attempt: number) => Fault | undefined;
  close(): Promise<void>;
}

export async function startCloudPeer(token = "test-token"): Promise<CloudPeer> {
  const batchKeys = new Set<string>();
  const attempts = new Map<string, number>();
  const peer: CloudPeer = {
    url: "",
    token,
    requests: [],
    landed: new Map(),
    fault: () => undefined,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };

  const land = (batch: DeltaBatch, key: string): "accepted" | "duplicate" => {
    if (batchKeys.has(key)) return "duplicate";
    batchKeys.add(key);
    for (const o of batch.observations) {
      const id = `${batch.runId}:${o.seq}`;
      peer.landed.set(id, (peer.landed.get(id) ?? 0) + 1);
    }
    return "accepted";
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const wallAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const record: PeerRequest = {
      at,
      wallAt,
      batch: null,
      status: 0,
      bytes: body.byteLength,
      headers: req.headers,
    };
    peer.requests.push(record);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(json));
    };
    if (req.method !== "POST" || req.url !== "/v1/ingest")
      return answer(404, { error: { code: "not_found" } });
    if (req.headers.authorization !== `Bearer ${token}`)
      return answer(401, { error: { code: "unauthorized" } });
    if (req.headers["content-type"] !== WIRE_CONTENT_TYPE)
      return answer(415, { error: { code: "media_type" } });
    let batch: DeltaBatch;
    try {
      batch = await decodeDeltaBatch(body, req.headers["content-encoding"]);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      return answer(400, { error: { code: error.code, message: error.message } });
    }
    record.batch = batch;
    const key = `${batch.deviceId}/${batch.runId}/${batch.batchSeq}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const fault = peer.fault(batch, attempt);
    if (fault && "reset" in fault) {
      if (fault.reset === "after") land(batch, key);
      record.status = "reset";
      req.socket.destroy();
      return;
    }
    if (fault && "status" in fault) {
      const headers: Record<string, string> = fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
      return answer(fault.status, fault.body ?? { error: { code: "fault", message: "injected" } }, headers);
    }
    if (fault && "until" in fault) await fault.until;
    answer(202, { status: land(batch, key) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}
