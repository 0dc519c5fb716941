import { emptyObservation } from "@piwardrive/shared-schema/domain";
import { describe, expect, it } from "vitest";
import { testContext } from "../../test-support/parser-properties.js";
import { recordEvents, refuse, seenAtFor } from "./scan-record.js";

const valid = emptyObservation({
  kind: "wifi",
  mac: "00:11:22:33:44:55",
  seenAt: testContext.capturedAt,
  source: "iw",
});

describe("recordEvents", () => {
  it("yields the record, then the observation", () => {
    expect([...recordEvents(3, () => ({ ok: true, observation: valid }))]).toEqual([
      { type: "record" },
      { type: "observation", observation: valid },
    ]);
  });

  it("turns a refusal into a reject carrying the line and detail", () => {
    expect([...recordEvents(7, () => refuse("mac_redacted", "xx:xx"))]).toEqual([
      { type: "record" },
      { type: "reject", reason: "mac_redacted", line: 7, detail: "xx:xx" },
    ]);
  });

  it("refuses an observation the shared schema refuses, instead of passing it on", () => {
    const tooLoud = { ...valid, rssiDbm: 200 };
    const [, outcome] = [...recordEvents(1, () => ({ ok: true, observation: tooLoud }))];
    expect(outcome).toMatchObject({
      type: "reject",
      reason: "observation_invalid",
      detail: expect.stringContaining("rssiDbm"),
    });
  });

  it("turns a bug in the record reader into a reject, never a throw", () => {
    const events = [
      ...recordEvents(2, () => {
        throw new Error("boom");
      }),
    ];
    expect(events).toEqual([
      { type: "record" },
      { type: "reject", reason: "parse_error", line: 2, detail: "boom" },
    ]);
  });
});

describe("seenAtFor", () => {
  it("subtracts the age from the capture time and refuses implausible results", () => {
    expect(seenAtFor(testContext, 1500)).toEqual({ ok: true, value: testContext.capturedAt - 1500 });
    expect(seenAtFor(testContext, testContext.capturedAt)).toEqual({ ok: false, reason: "time_too_old" });
    expect(seenAtFor({ ...testContext, capturedAt: testContext.now + 3 * 86_400_000 })).toEqual({
      ok: false,
      reason: "time_in_future",
    });
  });
});
