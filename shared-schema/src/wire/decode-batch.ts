import { constants as bufferConstants } from "node:buffer";
import { promisify } from "node:util";
import { brotliDecompress, gunzip } from "node:zlib";
import { ColumnError } from "./column-codec.js";
import { type ColumnarBatch, columnarBatchSchema, fromColumnar } from "./columnar-batch.js";
import {
  DEFAULT_WIRE_LIMITS,
  type DeltaBatch,
  WIRE_VERSION,
  WireError,
  type WireLimits,
} from "./delta-batch.js";
import { checkDeltaBatch } from "./fast-validate.js";
import { summariseIssues } from "./issues.js";

const gunzipAsync = promisify(gunzip);
const brotliDecompressAsync = promisify(brotliDecompress);

/**
 * Decompresses, parses and validates one batch body. Every failure is a WireError whose code says which
 * layer refused it; nothing else escapes (fuzzed in decode-batch.test.ts).
 *
 * Encodings: gzip (also spelled x-gzip), br, and identity / no Content-Encoding (handy with curl; the same
 * caps apply). Inflation uses zlib's `maxOutputLength`: zlib hands its output over in 16 KiB chunks and the
 * convenience API counts them, failing with ERR_BUFFER_TOO_LARGE and closing the stream as soon as the
 * total passes the cap. So a bomb costs at most maxDecompressedBytes plus one chunk, never its full size.
 */
export async function decodeDeltaBatch(
  body: Uint8Array,
  contentEncoding: string | undefined,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): Promise<DeltaBatch> {
  const encoding = normaliseEncoding(contentEncoding);
  if (body.byteLength > limits.maxCompressedBytes) {
    throw new WireError("too_large", `body of ${body.byteLength} bytes exceeds ${limits.maxCompressedBytes}`);
  }
  const raw = await inflate(body, encoding, limits.maxDecompressedBytes);
  const json = parseJson(raw);
  checkVersion(json);
  const columnar = columnarBatchSchema.safeParse(json);
  if (!columnar.success) throw new WireError("invalid_batch", summariseIssues(columnar.error.issues));
  let logical: unknown;
  try {
    logical = fromColumnar(columnar.data);
  } catch (error) {
    if (error instanceof ColumnError) throw new WireError("invalid_batch", error.message);
    throw error;
  }
  const batch = checkDeltaBatch(logical);
  if (!batch.success) throw new WireError("invalid_batch", summariseIssues(batch.error.issues));
  return batch.data;
}

/**
 * decodeDeltaBatch for a body this system has already accepted once (a landed batch, decoded and
 * validated by the API before it answered 202): the same steps without the zod pass over the columnar
 * shape (on the drain's 5,000-row batches: 0.95 -> 0.6 ms of CPU per 1,000 sightings). The
 * logical batch is still checked (checkDeltaBatch). Anything unexpected (a payload changed in the database,
 * a bug) falls back to decodeDeltaBatch, which refuses it with the WireError that names the fault.
 */
export async function decodeLandedBatch(
  body: Uint8Array,
  contentEncoding: string | undefined,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): Promise<DeltaBatch> {
  try {
    if (body.byteLength <= limits.maxCompressedBytes) {
      const json = parseJson(
        await inflate(body, normaliseEncoding(contentEncoding), limits.maxDecompressedBytes),
      );
      checkVersion(json);
      if (hasColumnarContainers(json)) {
        const batch = checkDeltaBatch(fromColumnar(json as ColumnarBatch));
        if (batch.success) return batch.data;
      }
    }
  } catch {
    // decodeDeltaBatch below decides, and names the reason.
  }
  return decodeDeltaBatch(body, contentEncoding, limits);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The columnar shape's containers, as cheaply as they can be checked: `strings` and `health` arrays, and
 * `tx`, `obs` and `gps` objects whose every column of the schema is there and is no scalar. The logical
 * check after fromColumnar catches wrong values inside; this catches what an empty batch would never read
 * (a `tx: false` beside no sightings), which the full decode refuses. Anything else goes to the full decode.
 */
function hasColumnarContainers(json: unknown): boolean {
  if (!isObject(json) || !Array.isArray(json.strings) || !Array.isArray(json.health)) return false;
  const sections = [
    ["tx", columnarBatchSchema.shape.tx.shape],
    ["obs", columnarBatchSchema.shape.obs.shape],
    ["gps", columnarBatchSchema.shape.gps.shape],
  ] as const;
  return sections.every(([name, shape]) => {
    const section = json[name];
    return (
      isObject(section) &&
      Object.keys(shape).every((column) => typeof section[column] === "object" && section[column] !== null)
    );
  });
}

type Encoding = "gzip" | "br" | "identity";

function normaliseEncoding(header: string | undefined): Encoding {
  const value = (header ?? "").trim().toLowerCase();
  if (value === "" || value === "identity") return "identity";
  if (value === "gzip" || value === "x-gzip") return "gzip";
  if (value === "br") return "br";
  throw new WireError("unsupported_encoding", `content encoding ${JSON.stringify(header)} is not gzip or br`);
}

async function inflate(body: Uint8Array, encoding: Encoding, maxBytes: number): Promise<Uint8Array> {
  if (encoding === "identity") {
    if (body.byteLength > maxBytes) {
      throw new WireError("too_large", `body of ${body.byteLength} bytes exceeds ${maxBytes}`);
    }
    return body;
  }
  try {
    const options = { maxOutputLength: Math.min(bufferConstants.MAX_LENGTH, Math.max(1, maxBytes)) };
    return encoding === "gzip"
      ? await gunzipAsync(body, options)
      : await brotliDecompressAsync(body, options);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      throw new WireError("too_large", `${encoding} body inflates past ${maxBytes} bytes`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new WireError("bad_compression", `corrupt ${encoding} data: ${reason}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(raw: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new WireError("invalid_json", "body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WireError("invalid_json", error instanceof Error ? error.message : "body is not JSON");
  }
}

/** `v` is the wire's spelling; `version` (the logical field name) is read too so a mix-up gets a clear error. */
function checkVersion(json: unknown): void {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new WireError("invalid_batch", "body is not a JSON object");
  }
  const record = json as Record<string, unknown>;
  const version = "v" in record ? record.v : record.version;
  if (version === undefined) throw new WireError("invalid_batch", "v: missing wire version");
  if (version !== WIRE_VERSION) {
    const shown = (JSON.stringify(version) ?? String(version)).slice(0, 40);
    throw new WireError(
      "unsupported_version",
      `wire version ${shown} is not supported (expected ${WIRE_VERSION})`,
    );
  }
}
