/**
 * Which URLs the service sends webhooks to: https (http only outside
 * production), no credentials in the URL, and no address on loopback or a
 * private range unless WEBHOOKS_ALLOW_PRIVATE_URLS, checked on every address
 * the name resolves to, when the endpoint is made and again before each
 * delivery, which then connects to the address that was checked (so DNS
 * cannot point a public name inside between the check and the connection).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../errors';

export const URL_LENGTH_MAX = 2048;

export interface UrlPolicy {
  production: boolean;
  allowPrivate: boolean;
}

/** Loopback, private, link-local, shared, reserved and multicast ranges. */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['::ffff:0:0', 96],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
})();

const badUrl = (reason: string) =>
  new DomainError('BAD_USER_INPUT', `The webhook URL ${reason}.`, { field: 'url' });

/** The URL if its shape may be an endpoint's; BAD_USER_INPUT saying why not. */
export function checkUrlShape(raw: string, policy: UrlPolicy): URL {
  if (raw.length > URL_LENGTH_MAX) throw badUrl(`is longer than ${URL_LENGTH_MAX} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badUrl('is not a URL');
  }
  const schemes = policy.production ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) {
    throw badUrl(
      policy.production ? 'must be https' : 'must be https (or http outside production)',
    );
  }
  if (url.username !== '' || url.password !== '') throw badUrl('must not carry credentials');
  if (url.hostname === '') throw badUrl('has no host');
  return url;
}

/** Whether an IP address is a public one. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (family === 'ipv6' && address.toLowerCase().startsWith('::ffff:')) {
    const mapped = address.slice('::ffff:'.length);
    if (isIP(mapped) === 4) return !NOT_PUBLIC.check(mapped, 'ipv4');
  }
  return !NOT_PUBLIC.check(address, family);
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Where to connect for this URL: its host's addresses, every one of them
 * public unless private ones are allowed; BAD_USER_INPUT otherwise.
 */
export async function resolveEndpoint(url: URL, policy: UrlPolicy): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await lookup(host, { all: true });
  } catch {
    throw badUrl(`host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw badUrl(`host ${host} does not resolve`);
  if (!policy.allowPrivate && !addresses.every((a) => isPublicAddress(a.address))) {
    throw badUrl('points to a loopback or private address');
  }
  const [first] = addresses;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
