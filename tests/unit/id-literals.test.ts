import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { withIdLiterals } from '../../src/db/sql';

const lock = 'UPDATE wallets SET lock_version = lock_version + 1 WHERE id = ?';

describe('ids written into SQL text', () => {
  it('writes a UUID in quotes, in place of its placeholder', () => {
    const id = randomUUID();
    assert.equal(
      withIdLiterals({ text: lock, params: [id] }),
      `UPDATE wallets SET lock_version = lock_version + 1 WHERE id = '${id}'`,
    );
  });

  it('refuses anything that is not a UUID, so nothing else reaches the text', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[0-9a-f-]{36}$/i.test(s)),
        (value) => {
          assert.throws(() => withIdLiterals({ text: lock, params: [value] }));
        },
      ),
    );
    assert.throws(() =>
      withIdLiterals({ text: lock, params: [`${randomUUID()}'; DELETE FROM wallets; --`] }),
    );
  });

  it('refuses a count of ids that does not match the placeholders', () => {
    assert.throws(() => withIdLiterals({ text: lock, params: [] }));
    assert.throws(() => withIdLiterals({ text: lock, params: [randomUUID(), randomUUID()] }));
  });
});
