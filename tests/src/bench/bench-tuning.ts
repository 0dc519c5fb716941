import { totalmem } from "node:os";
import { profileForMemory, type Tuning, tuningFor } from "@piwardrive/edge-agent/store";

/** The profile a board with this machine's RAM gets (what EdgeStore would be opened with). */
export function benchTuning(): Tuning {
  return tuningFor(profileForMemory(totalmem()));
}
