import { NETWORK_FILTER_PARAMS, parseNetworkFilters } from "../analyst/network-filters.js";
import { OBSERVATION_FILTER_PARAMS, parseObservationFilters } from "../analyst/observation-filters.js";
import { invalid, type RawParams, rejectUnknown } from "../analyst/query-params.js";
import { EXPORT_FORMATS, type ExportFormat } from "./export-formats.js";
import type { ExportSelection } from "./export-query.js";
import type { Placement } from "./geojson.js";

export type ExportQuery = { format: ExportFormat; placement: Placement } & ExportSelection;

/** The export's own parameters; the filters are those of the resource's search route. */
export const EXPORT_OWN_PARAMS = ["format", "what", "placement"] as const;
const ALLOWED = {
  observations: [...EXPORT_OWN_PARAMS, ...OBSERVATION_FILTER_PARAMS],
  networks: [...EXPORT_OWN_PARAMS, ...NETWORK_FILTER_PARAMS],
};
/** Every parameter GET /v1/export knows (which filters apply depends on `what`). */
export const EXPORT_QUERY_PARAMS = [...new Set([...ALLOWED.observations, ...ALLOWED.networks])];

/**
 * Reads /v1/export's query (and the CLI's flags, which use the same names). `what=networks` takes exactly
 * the filters of GET /v1/networks, `what=observations` (the default) those of GET /v1/observations, parsed
 * by the same functions with the same meaning and the same 400s naming the parameter; an unknown
 * parameter, or a filter of the other resource, is refused.
 */
export function parseExportQuery(params: RawParams): ExportQuery {
  const what = params.what ?? "observations";
  if (what !== "observations" && what !== "networks") {
    throw invalid("what", "expected observations or networks");
  }
  rejectUnknown(params, ALLOWED[what]);
  const format = params.format as ExportFormat | undefined;
  if (format === undefined || !EXPORT_FORMATS.includes(format)) {
    throw invalid("format", `expected one of ${EXPORT_FORMATS.join(", ")}`);
  }
  const placement = (params.placement ?? "estimate") as Placement;
  if (placement !== "estimate" && placement !== "strongest") {
    throw invalid("placement", "expected estimate or strongest");
  }
  return what === "networks"
    ? { format, placement, what, filters: parseNetworkFilters(params) }
    : { format, placement, what, filters: parseObservationFilters(params) };
}
