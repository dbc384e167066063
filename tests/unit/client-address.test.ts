import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitKeyOf } from '../../src/app/auth/client-address';

describe('the address a limit counts', () => {
  it('counts an IPv4 client by its address, however it is written', () => {
    assert.equal(limitKeyOf('203.0.113.9'), '203.0.113.9');
    assert.equal(limitKeyOf('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(limitKeyOf('::FFFF:203.0.113.9'), '203.0.113.9');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const address of [
      '2001:db8:1:2::5',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:1',
      '2001:db8:1:2::192.0.2.1',
      'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::1'),
    ]) {
      assert.equal(limitKeyOf(address), key, address);
    }
    assert.equal(
      limitKeyOf('2001:db8:1:3::5'),
      '2001:db8:1:3::/64',
      'the next /64 is another client',
    );
    assert.equal(limitKeyOf('::1'), '0:0:0:0::/64');
    assert.equal(limitKeyOf('2001:db8::'), '2001:db8:0:0::/64');
  });

  it('keeps anything else as it is', () => {
    assert.equal(limitKeyOf('unknown'), 'unknown');
  });
});
