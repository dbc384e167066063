import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../src/domain/errors';
import { isPublicAddress, resolveEndpoint } from '../../src/app/webhooks/url-policy';

/** Public receivers of both families: these must be reachable. */
const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '9.9.9.9',
  '93.184.216.34',
  '172.15.255.255', // just below 172.16/12
  '172.32.0.1', // just above it
  '100.63.255.255', // just below CGNAT
  '100.128.0.1', // just above it
  '198.17.255.255', // just below benchmarking
  '223.255.255.254', // just below multicast
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:80b::200e',
];

/** Not public: refused unless WEBHOOKS_ALLOW_PRIVATE_URLS. */
const NOT_PUBLIC = [
  ['0.0.0.0', 'unspecified / this network'],
  ['0.1.2.3', 'this network'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared (CGNAT)'],
  ['100.127.255.255', 'shared (CGNAT)'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fec0::1', 'site-local (deprecated)'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'discard'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:1.1.1.1', 'IPv4-mapped (refused outright: a translated form)'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::7f00:1', 'IPv4-compatible loopback, hex'],
  ['::a00:1', 'IPv4-compatible private'],
  ['::ffff:0:a00:1', 'IPv4-translated (SIIT) private'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of link-local'],
  ['64:ff9b:1::a00:1', 'local-use NAT64 of private'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:a00:1::1', '6to4 of private'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['not-an-address', 'not an address at all'],
] as const;

describe('the webhook URL policy', () => {
  it('accepts public addresses of both families', () => {
    for (const address of PUBLIC) assert.equal(isPublicAddress(address), true, address);
  });

  it('refuses loopback, private, link-local, special and translated addresses', () => {
    for (const [address, why] of NOT_PUBLIC) {
      assert.equal(isPublicAddress(address), false, `${address}: ${why}`);
    }
  });

  const strict = { production: true, allowPrivate: false };

  it('resolves a public IP literal URL of either family to itself', async () => {
    assert.deepEqual(await resolveEndpoint(new URL('https://1.1.1.1/hooks'), strict), {
      address: '1.1.1.1',
      family: 4,
    });
    assert.deepEqual(
      await resolveEndpoint(new URL('https://[2606:4700:4700::1111]/hooks'), strict),
      { address: '2606:4700:4700::1111', family: 6 },
    );
  });

  it('refuses private literals in every spelling the URL parser accepts', async () => {
    for (const raw of [
      'https://127.0.0.1/x',
      'https://0x7f.1/x',
      'https://2130706433/x',
      'https://[::1]/x',
      'https://[::127.0.0.1]/x',
      'https://[::ffff:10.0.0.1]/x',
      'https://[64:ff9b::10.0.0.1]/x',
      'https://[2002:c0a8:101::1]/x',
      'https://localhost/x',
    ]) {
      await assert.rejects(
        resolveEndpoint(new URL(raw), strict),
        (error: unknown) =>
          error instanceof DomainError && /loopback or private address/.test(error.message),
        raw,
      );
    }
  });

  it('lets private addresses through when they are allowed', async () => {
    const lenient = { production: false, allowPrivate: true };
    assert.equal(
      (await resolveEndpoint(new URL('http://127.0.0.1:9/x'), lenient)).address,
      '127.0.0.1',
    );
    assert.equal((await resolveEndpoint(new URL('http://[::1]:9/x'), lenient)).family, 6);
  });
});
