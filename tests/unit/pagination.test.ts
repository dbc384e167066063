import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { encodeCursor, lists, pageRequest } from '../../src/domain/pages';
import { DomainError } from '../../src/domain/errors';

const badInput = (error: unknown) =>
  error instanceof DomainError && error.code === 'BAD_USER_INPUT';

describe('pages', () => {
  it('round-trips every cursor it gives out', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (seq) => {
        assert.equal(pageRequest(10, encodeCursor('users', seq), 'users').beforeSeq, seq);
        const wallet = lists.operations(randomUUID());
        assert.equal(pageRequest(10, encodeCursor(wallet, seq), wallet).beforeSeq, seq);
      }),
    );
  });

  it('refuses page sizes outside 1..100 and cursors that are not ours', () => {
    for (const first of [0, -1, 101, 1.5]) {
      assert.throws(() => pageRequest(first, null, 'users'), badInput);
    }
    const bad = ['', 'abc', 'c2VxOg', encodeCursor('users', 1n) + '!', 'x'.repeat(200)];
    for (const after of bad) assert.throws(() => pageRequest(20, after, 'users'), badInput, after);
    assert.deepEqual(pageRequest(undefined, null, 'users'), {
      first: 20,
      beforeSeq: null,
      list: 'users',
    });
  });

  it("refuses another list's cursor: a users cursor on wallets, one wallet's on another's", () => {
    const users = encodeCursor(lists.users, 5n);
    assert.throws(() => pageRequest(20, users, lists.wallets), badInput);
    const [a, b] = [lists.operations(randomUUID()), lists.operations(randomUUID())];
    assert.throws(() => pageRequest(20, encodeCursor(a, 5n), b), badInput);
    assert.throws(
      () => pageRequest(20, encodeCursor(lists.transfers(null), 5n), lists.users),
      badInput,
    );
  });
});
