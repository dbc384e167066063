/** The statement card: a period chosen in days of the person's own zone, its figures and its CSV. */
import { STATEMENT, gql } from './api.js';
import type { Statement } from './api.js';
import { $ } from './dom.js';
import { formatMoney } from './money.js';
import { state } from './state.js';
import { plainWords, sessionEnded } from './words.js';

/** No statement shown (another wallet chosen, or nobody signed in). */
export function clearStatement(): void {
  $('statement-result').hidden = true;
  for (const id of ['opening', 'in', 'out', 'closing']) $(`statement-${id}`).textContent = '';
  $<HTMLAnchorElement>('statement-csv').href = '#';
  $('statement-error').textContent = '';
  $('statement-to').removeAttribute('aria-invalid');
}

/** A date input's day as the instant its first moment is, in the person's own time zone. */
function startOfDay(day: string): Date {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date);
}

function dayInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The statement form starts on this month so far. */
export function defaultPeriod(): void {
  const today = new Date();
  $<HTMLInputElement>('statement-from').value = dayInput(
    new Date(today.getFullYear(), today.getMonth(), 1),
  );
  $<HTMLInputElement>('statement-to').value = dayInput(today);
}

export function wireStatementForm(): void {
  $<HTMLFormElement>('statement-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const wallet = state.current.wallet;
    const fromDay = $<HTMLInputElement>('statement-from').value;
    const toDay = $<HTMLInputElement>('statement-to').value;
    if (!wallet) return;
    clearStatement();
    const refuse = (text: string) => {
      $('statement-error').textContent = text;
      $('statement-to').setAttribute('aria-invalid', 'true');
    };
    if (fromDay === '' || toDay === '') return refuse('Choose the first and the last day.');
    if (toDay < fromDay) return refuse('The last day cannot be before the first.');
    // The last day is included: the period ends where the next day begins.
    const from = startOfDay(fromDay);
    const to = startOfDay(toDay);
    to.setDate(to.getDate() + 1);
    const period = { from: from.toISOString(), to: to.toISOString() };
    try {
      const data = await gql<{ wallet: { statement: Statement } }>(STATEMENT, {
        id: wallet.id,
        ...period,
      });
      if (state.current.wallet?.id !== wallet.id) return;
      const { statement } = data.wallet;
      const show = (id: string, amount: string) =>
        ($(`statement-${id}`).textContent = formatMoney(amount, wallet.currency));
      show('opening', statement.openingBalance);
      show('in', statement.totalIn);
      show('out', statement.totalOut);
      show('closing', statement.closingBalance);
      $<HTMLAnchorElement>('statement-csv').href =
        `/wallets/${wallet.id}/statement.csv?${new URLSearchParams(period)}`;
      $('statement-result').hidden = false;
    } catch (error) {
      if (!sessionEnded(error)) refuse(plainWords(error));
    }
  });
}
