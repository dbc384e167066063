import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { WalletId } from '../../src/domain/ids';
import { lockOrder } from '../../src/ledger/locks';

describe('lock order', () => {
  it('is distinct and strictly ascending, whatever order the ids come in', () => {
    const ids = Array.from({ length: 6 }, () => randomUUID() as WalletId);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ids), { maxLength: 10 }), (picked) => {
        const ordered = lockOrder(picked);
        assert.deepEqual(new Set(ordered), new Set(picked));
        for (let i = 1; i < ordered.length; i++) assert.ok(ordered[i - 1] < ordered[i]);
      }),
    );
  });

  it('gives two movements on the same wallets the same order (so they cannot deadlock)', () => {
    const [a, b] = [randomUUID() as WalletId, randomUUID() as WalletId];
    assert.deepEqual(lockOrder([a, b]), lockOrder([b, a]));
  });
});
