import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeCursor, pageRequest } from '../../src/db/pagination';
import { DomainError } from '../../src/errors';

const badInput = (error: unknown) =>
  error instanceof DomainError && error.code === 'BAD_USER_INPUT';

describe('pages', () => {
  it('round-trips every cursor it gives out', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (seq) => {
        assert.equal(pageRequest(10, encodeCursor(seq)).beforeSeq, seq);
      }),
    );
  });

  it('refuses page sizes outside 1..100 and cursors that are not ours', () => {
    for (const first of [0, -1, 101, 1.5]) assert.throws(() => pageRequest(first, null), badInput);
    for (const after of ['', 'abc', 'c2VxOg', encodeCursor(1n) + '!', 'x'.repeat(200)]) {
      assert.throws(() => pageRequest(20, after), badInput, after);
    }
    assert.deepEqual(pageRequest(undefined, null), { first: 20, beforeSeq: null });
  });
});
