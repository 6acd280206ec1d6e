import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Keeps callback URLs away from the inside of the network (SSRF). A callback
 * must be http(s) and must not point at loopback, link-local, private,
 * carrier-grade NAT, multicast or reserved addresses — by literal IP or by a
 * DNS name that resolves to one — unless its host is on the allow-list
 * (PARSIMONY_WEBHOOK_ALLOW_HOSTS). It is checked at submission and again when
 * delivering, where the vetted address is the one connected to (no second
 * lookup an attacker could rebind).
 */

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

export class CallbackRefusedError extends Error {
  override name = 'CallbackRefusedError';
}

/** True when `address` (an IP literal) is not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return true;
  if (BLOCKED.check(ip, 'ipv6')) return true;
  // IPv4 carried inside IPv6 (mapped, NAT64, 6to4) is judged by its IPv4 address.
  const embedded = embeddedIPv4(ip);
  return embedded !== undefined && BLOCKED.check(embedded, 'ipv4');
}

function embeddedIPv4(ip: string): string | undefined {
  const words = expandIPv6(ip);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && (words[5] === 0xffff || words[5] === 0)) return v4(words[6], words[7]); // ::ffff:a.b.c.d, ::a.b.c.d
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6], words[7]); // NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  return undefined;
}

/** The eight 16-bit words of an IPv6 literal. */
function expandIPv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const words = tail !== undefined ? [...left, ...Array(missing).fill('0'), ...right] : left;
  if (words.length !== 8) return undefined;
  return words.map((w) => parseInt(w, 16));
}

/** Host as compared with the allow-list: lower case, no IPv6 brackets, no trailing dot. */
export function normaliseHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

export interface CallbackGuardOptions {
  /** Hosts (names or IPs) exempt from the private-address check. Default none. */
  allowHosts?: readonly string[];
  /** Name resolution; default the system resolver (dns.lookup, as the HTTP client uses). */
  resolve?: (host: string) => Promise<string[]>;
}

/**
 * Checks a callback URL. Throws CallbackRefusedError with a message fit for a
 * 400 when it is refused. A name that cannot be resolved right now is let
 * through: the delivery-time check resolves it again and refuses it then.
 */
export async function assertCallbackAllowed(url: string, options: CallbackGuardOptions = {}): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CallbackRefusedError('is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CallbackRefusedError('must be an http(s) URL');
  const host = normaliseHost(parsed.hostname);
  if (!host) throw new CallbackRefusedError('has no host');
  if (options.allowHosts?.includes(host)) return;
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw refused(host);
    return;
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return;
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad)
    throw new CallbackRefusedError(
      `host ${host} resolves to ${bad}, a loopback, link-local or private address; callbacks must reach a public address (or be allowed in PARSIMONY_WEBHOOK_ALLOW_HOSTS)`,
    );
}

function refused(host: string): CallbackRefusedError {
  return new CallbackRefusedError(`host ${host} is a loopback, link-local or private address; callbacks must reach a public address (or be allowed in PARSIMONY_WEBHOOK_ALLOW_HOSTS)`);
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http that resolves a name once and refuses it when any
 * of its addresses is private, so the connection goes to the address that
 * was checked. Allow-listed names resolve normally.
 */
export function guardedLookup(allowHosts: readonly string[]) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      if (!allowHosts.includes(normaliseHost(hostname))) {
        const bad = list.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(Object.assign(new CallbackRefusedError(`host ${hostname} resolves to ${bad.address}, a private address`), { code: 'EPRIVATE' }), '');
      }
      if (options.all) return callback(null, list);
      if (!list.length) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, list[0].address, list[0].family);
    });
  };
}
