/**
 * Opening a wallet in another currency: the choice offers only the
 * currencies the person has no wallet in yet, the first of them chosen,
 * and the form is gone once they have them all.
 */
import { GraphQLFailure, OPEN_WALLET, gql } from './api.js';
import type { Wallet } from './api.js';
import { $, element } from './dom.js';
import { plainWords, sessionEnded } from './words.js';

/** The currencies the service holds wallets in. */
const CURRENCIES = ['USD', 'EUR', 'GBP', 'RUB', 'JPY', 'KRW', 'BHD', 'KWD'];

export function renderOpenWalletForm(wallets: Wallet[]): void {
  const select = $<HTMLSelectElement>('open-currency');
  const held = new Set(wallets.map((wallet) => wallet.currency));
  const open = CURRENCIES.filter((currency) => !held.has(currency));
  const chosen = open.includes(select.value) ? select.value : open[0];
  select.replaceChildren(...open.map((currency) => element('option', {}, currency)));
  if (chosen !== undefined) select.value = chosen;
  $('open-form').hidden = open.length === 0;
}

export function wireOpenWalletForm(opened: (wallet: Wallet) => Promise<void>): void {
  $<HTMLFormElement>('open-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const currency = $<HTMLSelectElement>('open-currency').value;
    $('open-error').textContent = '';
    try {
      const { openWallet } = await gql<{ openWallet: Wallet }>(OPEN_WALLET, { currency });
      await opened(openWallet);
    } catch (error) {
      if (sessionEnded(error)) return;
      // Opened meanwhile elsewhere (another tab): said, and the next refresh drops it from the choice.
      $('open-error').textContent =
        error instanceof GraphQLFailure && error.code === 'ALREADY_EXISTS'
          ? `You already have a ${currency} wallet.`
          : plainWords(error);
    }
  });
}
