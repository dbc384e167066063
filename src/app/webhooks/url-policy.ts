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
import { DomainError } from '../../domain/errors';
import { URL_LENGTH_MAX } from '../../domain/limits';

export interface UrlPolicy {
  production: boolean;
  allowPrivate: boolean;
}

/**
 * IPv4 ranges that are not public: this network, private, shared (CGNAT),
 * loopback, link-local, IETF assignments, documentation, 6to4 relay,
 * benchmarking, multicast, reserved and broadcast.
 */
const IPV4_NOT_PUBLIC = blockList('ipv4', [
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
]);

/** Global unicast: every other IPv6 address (loopback, ::/96, ::ffff:0:0/96, ULA, link-local, multicast…) is not public. */
const IPV6_GLOBAL = blockList('ipv6', [['2000::', 3]]);

/**
 * Inside global unicast, what is still not a public host: IETF assignments
 * (Teredo 2001::/32 among them), documentation, and 6to4. NAT64 and the
 * IPv4-mapped, -compatible and -translated forms lie outside 2000::/3. Every
 * form that embeds an IPv4 address is refused outright, whatever that
 * address: judging the embedded one would need each prefix's layout, and a
 * public receiver has a plain address of its own.
 */
const IPV6_NOT_PUBLIC = blockList('ipv6', [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
]);

/**
 * Each family has its own list: Node's BlockList matches an IPv4 address
 * against IPv6 rules through its mapped form, so one list with ::ffff:0:0/96
 * refuses every IPv4 address.
 */
function blockList(family: 'ipv4' | 'ipv6', subnets: readonly (readonly [string, number])[]) {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family);
  return list;
}

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

/** Whether an IP address is a public one (anything else, a zone-scoped address included, is not). */
export function isPublicAddress(address: string): boolean {
  switch (isIP(address)) {
    case 4:
      return !IPV4_NOT_PUBLIC.check(address, 'ipv4');
    case 6:
      return IPV6_GLOBAL.check(address, 'ipv6') && !IPV6_NOT_PUBLIC.check(address, 'ipv6');
    default:
      return false;
  }
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
