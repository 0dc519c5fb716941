import { topNetworks } from "./cloud-view.js";

/** The most-seen transmitter, for the printed detail call (null before anything merged). */
export async function topMac(cloudDb: string): Promise<string | null> {
  return (await topNetworks(cloudDb, 1))[0]?.mac ?? null;
}

/**
 * Ready-to-paste curl calls of the analyst API with the demo's analyst key: a search, a filtered search,
 * the alerts and, when a network exists, its detail (with its alerts) and sightings. Single-quoted so a shell takes them as they are
 * (the key and MAC are [A-Za-z0-9_:-] only; the URL is ours).
 */
export function analystCalls(url: string, key: string, mac: string | null): string[] {
  const curl = (path: string) => `curl -s -H 'Authorization: Bearer ${key}' '${url}${path}'`;
  const calls = [
    curl("/v1/networks?limit=5"),
    curl("/v1/networks?sort=-rssi&minConfidence=1&limit=5"),
    curl("/v1/alerts?limit=5"),
  ];
  if (mac !== null) {
    calls.push(curl(`/v1/networks/${mac}`), curl(`/v1/networks/${mac}/observations?limit=5`));
  }
  return calls;
}
