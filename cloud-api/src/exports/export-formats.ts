import type { ExportNetwork, ExportObservation, ExportWhat } from "./export-rows.js";
import { GEOJSON_HEAD, GEOJSON_TAIL, networkFeature, observationFeature, type Placement } from "./geojson.js";
import { KML_HEAD, KML_TAIL, networkPlacemark, observationPlacemark } from "./kml.js";
import {
  NETWORK_CSV_HEAD,
  networkCsvLine,
  OBSERVATION_CSV_HEAD,
  observationCsvLine,
} from "./spreadsheet-csv.js";
import { WIGLE_HEAD, wigleNetworkLine, wigleObservationLine } from "./wigle-csv.js";

export const EXPORT_FORMATS = ["wigle", "csv", "geojson", "kml"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How one format writes a file: its head, one row at a time (`first` for separators), its tail. */
export interface FormatWriter<Row> {
  contentType: string;
  extension: string;
  head: string;
  row(row: Row, first: boolean): string;
  tail: string;
}

export interface WriterOptions {
  /** Networks in KML/GeoJSON: at the estimate (default) or the strongest sighting. */
  placement: Placement;
}

const CSV = "text/csv; charset=utf-8";
const GEOJSON = "application/geo+json";
const KML = "application/vnd.google-earth.kml+xml";

export function observationWriter(format: ExportFormat): FormatWriter<ExportObservation> {
  switch (format) {
    case "wigle":
      return {
        contentType: CSV,
        extension: "wiglecsv.csv",
        head: WIGLE_HEAD,
        row: wigleObservationLine,
        tail: "",
      };
    case "csv":
      return {
        contentType: CSV,
        extension: "csv",
        head: OBSERVATION_CSV_HEAD,
        row: observationCsvLine,
        tail: "",
      };
    case "geojson":
      return {
        contentType: GEOJSON,
        extension: "geojson",
        head: GEOJSON_HEAD,
        row: (o, first) => (first ? "" : ",\n") + observationFeature(o),
        tail: GEOJSON_TAIL,
      };
    case "kml":
      return {
        contentType: KML,
        extension: "kml",
        head: KML_HEAD,
        row: observationPlacemark,
        tail: KML_TAIL,
      };
  }
}

export function networkWriter(format: ExportFormat, options: WriterOptions): FormatWriter<ExportNetwork> {
  switch (format) {
    case "wigle":
      return {
        contentType: CSV,
        extension: "wiglecsv.csv",
        head: WIGLE_HEAD,
        row: wigleNetworkLine,
        tail: "",
      };
    case "csv":
      return { contentType: CSV, extension: "csv", head: NETWORK_CSV_HEAD, row: networkCsvLine, tail: "" };
    case "geojson":
      return {
        contentType: GEOJSON,
        extension: "geojson",
        head: GEOJSON_HEAD,
        row: (n, first) => (first ? "" : ",\n") + networkFeature(n, options.placement),
        tail: GEOJSON_TAIL,
      };
    case "kml":
      return {
        contentType: KML,
        extension: "kml",
        head: KML_HEAD,
        row: (n) => networkPlacemark(n, options.placement),
        tail: KML_TAIL,
      };
  }
}

/** `piwardrive-networks-20261203T140000Z.kml`: built from our own words and the clock only. */
export function exportFileName(what: ExportWhat, extension: string, now: number): string {
  const stamp = new Date(now).toISOString().slice(0, 19).replaceAll("-", "").replaceAll(":", "");
  return `piwardrive-${what}-${stamp}Z.${extension}`;
}
