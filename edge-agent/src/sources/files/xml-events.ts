export type XmlEvent =
  | { kind: "open"; name: string; attributes: Record<string, string>; line: number }
  | { kind: "close"; name: string }
  | { kind: "text"; text: string }
  | { kind: "error"; message: string; line: number };

/**
 * Streams XML as SAX events with saxes (a small, maintained, non-validating streaming parser): each chunk
 * is parsed as it arrives and its events handed on as one batch (one await per chunk, not per event), so
 * no DOM of a 500 MB netxml is ever built. Bytes are
 * decoded as UTF-8. Well-formedness errors become `error` events and parsing goes on (saxes recovers as
 * far as it can), so callers decide what a damaged element means; nothing here throws on input.
 * saxes is loaded on the first XML file, not with this module: it costs ~9 MB of RSS (its character
 * tables), which an agent that never reads Kismet XML should not carry.
 */
export async function* xmlEventBatches(
  chunks: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<XmlEvent[]> {
  const { SaxesParser } = await import("saxes");
  const parser = new SaxesParser({ position: true });
  let queue: XmlEvent[] = [];
  let failed = false;
  parser.on("opentag", (tag) => {
    queue.push({
      kind: "open",
      name: tag.name,
      attributes: tag.attributes as Record<string, string>,
      line: parser.line,
    });
  });
  parser.on("closetag", (tag) => queue.push({ kind: "close", name: tag.name }));
  parser.on("text", (text) => queue.push({ kind: "text", text }));
  parser.on("cdata", (text) => queue.push({ kind: "text", text }));
  parser.on("error", (error) => queue.push({ kind: "error", message: error.message, line: parser.line }));

  const decoder = new TextDecoder("utf-8");
  const feed = (text: string | null): XmlEvent[] => {
    if (!failed) {
      try {
        parser.write(text);
      } catch (error) {
        // saxes reports through the handler; a throw here would be a parser bug: stop feeding, keep going.
        failed = true;
        queue.push({
          kind: "error",
          message: error instanceof Error ? error.message : String(error),
          line: parser.line,
        });
      }
    }
    const out = queue;
    queue = [];
    return out;
  };
  for await (const chunk of chunks) {
    yield feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest !== "") yield feed(rest);
  yield feed(null);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Kismet's ctime() dates (`Thu May 12 16:52:28 2022`) to ms. ctime writes the capture machine's local
 * time with no zone; they are read as UTC (what a wardriving Pi usually runs on). `utcOffsetMinutes`
 * corrects logs from a machine that was set to another zone.
 */
export function parseKismetTime(text: string | undefined, utcOffsetMinutes = 0): number | null {
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(
    (text ?? "").trim(),
  );
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] ?? "");
  const [day, h, min, s, year] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 0 || day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return null;
  const ms = Date.UTC(year, month, day, h, min, s);
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms - utcOffsetMinutes * 60_000;
}
