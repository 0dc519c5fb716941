import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { InvalidArgumentError } from "../errors.js";

/*
 * Webhook URLs are the operator's choice, but the server must not become a way to reach what only it can
 * reach (request forgery): loopback, link-local (cloud metadata at 169.254.169.254), private, carrier-grade
 * NAT, unique-local and unspecified addresses are refused unless a CIDR in `allow` covers them. The name is
 * resolved here and the request then goes to the address checked, so a DNS answer cannot change in between.
 */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv6");
}

export interface WebhookTarget {
  url: URL;
  /** The address the request must connect to. */
  address: string;
  family: 4 | 6;
}

/** `10.0.0.0/8,127.0.0.1/32`: the CIDRs an operator explicitly allows. */
export function parseAllowList(text: string | undefined): BlockList {
  const allow = new BlockList();
  for (const cidr of (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [net = "", bitsText] = cidr.split("/");
    const family = isIP(net);
    if (family === 0) throw new InvalidArgumentError(`webhook allow list: ${cidr} is not a CIDR`);
    const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
    allow.addSubnet(net, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return allow;
}

/** Checks a webhook URL and resolves it to one allowed address; refuses with a reason otherwise. */
export async function resolveWebhookTarget(text: string, allow: BlockList): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError("url: not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidArgumentError("url: http or https only");
  if (url.username !== "" || url.password !== "")
    throw new InvalidArgumentError("url: no credentials in the URL");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolveAll(host);
  // Every address the name has must be allowed: otherwise a name with one public and one private
  // address would pass the check and could connect to either.
  for (const { address, family } of addresses) {
    const type = family === 6 ? "ipv6" : "ipv4";
    const mapped = type === "ipv6" ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
    const blocked = mapped !== undefined ? BLOCKED.check(mapped, "ipv4") : BLOCKED.check(address, type);
    const allowed = mapped !== undefined ? allow.check(mapped, "ipv4") : allow.check(address, type);
    if (blocked && !allowed) {
      throw new InvalidArgumentError(
        `url: ${host} is a loopback, link-local or private address (${address})`,
      );
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new InvalidArgumentError(`url: ${host} does not resolve`);
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

async function resolveAll(host: string): Promise<Array<{ address: string; family: number }>> {
  try {
    return await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new InvalidArgumentError(`url: ${host} does not resolve`);
  }
}
