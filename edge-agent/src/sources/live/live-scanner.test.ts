import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import { afterAll, describe, expect, it } from "vitest";
import { fixturePath, readFixture } from "../../test-support/fixtures.js";
import { parseIwScan } from "../parsers/parse-iw.js";
import { LiveScanner } from "./live-scanner.js";

const dir = mkdtempSync(join(tmpdir(), "pw-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real executable standing in for `iw`: fails with EBUSY the first `busyTimes` runs, then prints a scan. */
function fakeIw(name: string, busyTimes: number, fixture: string): string {
  const script = join(dir, name);
  const counter = join(dir, `${name}.count`);
  writeFileSync(counter, "0");
  writeFileSync(
    script,
    `#!/bin/sh
n=$(cat '${counter}'); echo $((n + 1)) > '${counter}'
if [ "$n" -lt ${busyTimes} ]; then echo "command failed: Device or resource busy (-16)" >&2; exit 240; fi
cat '${fixturePath(fixture)}'
`,
  );
  chmodSync(script, 0o755);
  return script;
}

describe("LiveScanner", () => {
  it("runs the scan command, parses it and hands every BSS on", async () => {
    const got: ObservationRecord[] = [];
    const scanner = new LiveScanner({
      command: [fakeIw("ok.sh", 0, "iw-scan/jc_centos-7.7_iw-scan1.out")],
      parse: parseIwScan,
      onObservations: async (o) => void got.push(...o),
    });
    const expected = readFixture("iw-scan/jc_centos-7.7_iw-scan1.out").match(/^BSS /gm)?.length;
    expect(await scanner.scanOnce()).toBe(expected);
    expect(got.length).toBe(expected);
    expect(scanner.state()).toMatchObject({ scans: 1, failures: 0, lastError: null });
  });

  it("retries 'Device or resource busy' and then succeeds", async () => {
    const scanner = new LiveScanner({
      command: [fakeIw("busy.sh", 2, "iw-scan/jc_centos-7.7_iw-scan0.out")],
      parse: parseIwScan,
      busyRetries: 3,
      busyRetryDelayMs: 10,
      onObservations: async () => {},
    });
    expect(await scanner.scanOnce()).toBe(2);
    expect(scanner.state().failures).toBe(0);
  });

  it("reports a failing command in its state without throwing, and recovers", async () => {
    const scanner = new LiveScanner({
      command: [fakeIw("always-busy.sh", 100, "iw-scan/jc_centos-7.7_iw-scan0.out")],
      parse: parseIwScan,
      busyRetries: 1,
      busyRetryDelayMs: 5,
      onObservations: async () => {},
    });
    expect(await scanner.scanOnce()).toBe(0);
    expect(scanner.state().lastError).toMatch(/Device or resource busy/);
    const missing = new LiveScanner({
      command: [join(dir, "no-such-iw")],
      parse: parseIwScan,
      onObservations: async () => {},
    });
    expect(await missing.scanOnce()).toBe(0);
    expect(missing.state()).toMatchObject({ failures: 1, consecutiveFailures: 1 });
    expect(missing.state().lastError).toMatch(/ENOENT|no-such-iw/);
  });

  it("stretches its cadence by the guards' multiplier", async () => {
    let scans = 0;
    const scanner = new LiveScanner({
      command: ["true"],
      parse: () => [],
      intervalMs: 20,
      onObservations: async () => {},
    });
    const originalScan = scanner.scanOnce.bind(scanner);
    scanner.scanOnce = async () => {
      scans++;
      return originalScan();
    };
    scanner.start();
    await new Promise((r) => setTimeout(r, 220));
    const fast = scans;
    scans = 0;
    scanner.setCadenceMultiplier(5);
    await new Promise((r) => setTimeout(r, 220));
    scanner.stop();
    expect(scanner.state().cadenceMultiplier).toBe(5);
    expect(scans).toBeLessThan(fast);
  });
});
