import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors';
import {
  AMOUNT_MAX_MINOR,
  BALANCE_MAX_MINOR,
  addToBalance,
  amountShapeProblem,
  formatMinor,
  parseAmountMinor,
} from '../../src/domain/money';

const CURRENCIES: [string, number][] = [
  ['USD', 2],
  ['EUR', 2],
  ['GBP', 2],
  ['RUB', 2],
  ['JPY', 0],
  ['KRW', 0],
  ['BHD', 3],
  ['KWD', 3],
];

const refusedWith = (code: string) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

describe('money', () => {
  it('refuses every malformed amount the contract names', () => {
    for (const bad of ['5.', '.5', '+5', '-5', '1e3', '1,00', ' 5', '5 ', '', '0', '0.00', '00']) {
      assert.throws(() => parseAmountMinor(bad, 'USD', 2), refusedWith('BAD_USER_INPUT'), bad);
    }
    assert.notEqual(amountShapeProblem(5), null, 'a JSON number is refused');
    for (const signed of ['-5.00', '+5', '-0']) {
      assert.match(amountShapeProblem(signed) ?? '', /amounts are positive/, signed);
    }
    assert.notEqual(amountShapeProblem(null), null);
  });

  it('refuses more decimals than the currency has, even zeros', () => {
    assert.throws(() => parseAmountMinor('1.500', 'USD', 2), refusedWith('BAD_USER_INPUT'));
    assert.throws(() => parseAmountMinor('5.0', 'JPY', 0), refusedWith('BAD_USER_INPUT'));
    assert.throws(() => parseAmountMinor('1.2345', 'BHD', 3), refusedWith('BAD_USER_INPUT'));
  });

  it('reads leading zeros and short fractions', () => {
    assert.equal(parseAmountMinor('007.5', 'USD', 2), 750n);
    assert.equal(parseAmountMinor('10.5', 'USD', 2), 1050n);
    assert.equal(parseAmountMinor('5', 'JPY', 0), 5n);
    assert.equal(parseAmountMinor('1.25', 'BHD', 3), 1250n);
  });

  it('refuses amounts above 10^15 minor units, accepts exactly 10^15', () => {
    assert.equal(parseAmountMinor('10000000000000.00', 'USD', 2), AMOUNT_MAX_MINOR);
    assert.throws(
      () => parseAmountMinor('10000000000000.01', 'USD', 2),
      refusedWith('BAD_USER_INPUT'),
    );
    assert.throws(
      () => parseAmountMinor('1000000000000001', 'JPY', 0),
      refusedWith('BAD_USER_INPUT'),
    );
  });

  it('formats with exactly the currency precision', () => {
    assert.equal(formatMinor(1000n, 2), '10.00');
    assert.equal(formatMinor(5n, 0), '5');
    assert.equal(formatMinor(1250n, 3), '1.250');
    assert.equal(formatMinor(1n, 3), '0.001');
    assert.equal(formatMinor(0n, 2), '0.00');
    assert.equal(formatMinor(BALANCE_MAX_MINOR, 2), '10000000000000000.00');
  });

  it('format then parse is the identity for every amount and currency', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        fc.bigInt({ min: 1n, max: AMOUNT_MAX_MINOR }),
        ([code, precision], minor) => {
          assert.equal(parseAmountMinor(formatMinor(minor, precision), code, precision), minor);
        },
      ),
    );
  });

  it('parse then format gives the canonical form of any well-formed amount', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        fc.stringMatching(/^[0-9]{1,13}$/),
        fc.stringMatching(/^[0-9]{0,3}$/),
        ([code, precision], whole, fraction) => {
          const text = fraction === '' ? whole : `${whole}.${fraction}`;
          const expectedMinor = BigInt(whole + fraction.padEnd(precision, '0'));
          const valid =
            fraction.length <= precision && expectedMinor > 0n && expectedMinor <= AMOUNT_MAX_MINOR;
          if (!valid) {
            assert.throws(() => parseAmountMinor(text, code, precision), DomainError);
            return;
          }
          const minor = parseAmountMinor(text, code, precision);
          assert.equal(minor, expectedMinor);
          assert.equal(formatMinor(minor, precision).split('.')[1]?.length ?? 0, precision);
        },
      ),
    );
  });

  it('refuses any string that is not digits with an optional fraction', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        fc.pre(!/^[0-9]+(\.[0-9]+)?$/.test(text));
        assert.throws(() => parseAmountMinor(text, 'USD', 2), refusedWith('BAD_USER_INPUT'));
      }),
    );
  });

  it('checks a credit against the maximum balance', () => {
    assert.equal(addToBalance(BALANCE_MAX_MINOR - 1n, 1n), BALANCE_MAX_MINOR);
    assert.throws(() => addToBalance(BALANCE_MAX_MINOR, 1n), refusedWith('BAD_USER_INPUT'));
  });
});
