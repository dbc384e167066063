import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isStorableText } from '../../src/domain/text';

describe('storable text', () => {
  it('keeps every well-formed string without U+0000, emoji and other pairs included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        assert.equal(isStorableText(text), !text.includes('\u0000'));
      }),
    );
  });

  it('refuses U+0000 and half of a surrogate pair, wherever they are', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'),
        fc.string({ unit: 'grapheme' }),
        (before, bad, after) => {
          // A half pair next to its other half would make a whole one: keep them apart.
          fc.pre(!/[\ud800-\udfff]$/.test(before) && !/^[\ud800-\udfff]/.test(after));
          assert.equal(isStorableText(before + bad + after), false);
        },
      ),
    );
  });
});
