import type { Logger } from "../logger.js";
import type { Comparison, LoadResult } from "./load-result.js";

/**
 * Logs a "slower" verdict and POSTs it to the alert webhook when one is configured. It is counted from the
 * stored runs (`piwardrive_loadtest_regressions_total`, metrics/pipeline-metrics.ts), so regressions found
 * by any process (a CLI run saved with --save, an API-started run) add up in one place.
 */
export async function reportRegression(input: {
  comparison: Comparison;
  result: LoadResult;
  target: string;
  logger: Logger;
  webhookUrl: string | undefined;
}): Promise<void> {
  const { comparison, result } = input;
  const alert = {
    kind: "loadtest_regression",
    baseline: comparison.baseline,
    changePct: comparison.changePct,
    pValue: comparison.pValue,
    scenario: result.scenario,
    target: input.target,
    latencyMs: result.latencyMs,
  };
  input.logger.warn("load-test regression", alert);
  if (input.webhookUrl === undefined) return;
  try {
    const res = await fetch(input.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    if (!res.ok) input.logger.error("alert webhook refused the regression", { status: res.status });
  } catch (error) {
    input.logger.error("alert webhook unreachable", { error: (error as Error).message });
  }
}
