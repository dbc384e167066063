/** The wallet frontend: framework-free, talking GraphQL to the service it is served by. */
import {
  GraphQLFailure,
  LOGIN,
  LOGOUT,
  ME,
  OPEN_WALLET,
  OPERATIONS,
  REFRESH,
  SEND,
  SIGNUP,
  STATEMENT,
  gql,
} from './api.js';
import type { Hold, Operation, Statement, User, Wallet, WalletDetail } from './api.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What a person reads for each refusal. */
const PLAIN_WORDS: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'There is not enough money in your wallet for this.',
  NOT_FOUND: 'There is no wallet with this id. Check the recipient wallet id.',
  CURRENCY_MISMATCH: 'That wallet holds a different currency than yours.',
  INVALID_CREDENTIALS: 'The email or password is wrong.',
  ALREADY_EXISTS: 'An account with this email already exists. Log in instead.',
  WALLET_BUSY: 'Your wallet is busy with another payment. Press Send again in a moment.',
};

function plainWords(error: unknown): string {
  if (!(error instanceof GraphQLFailure)) return 'Something went wrong. Please try again.';
  if (error.code === 'RATE_LIMITED') {
    const minutes = Math.ceil((error.details.retryAfterSeconds ?? 60) / 60);
    return `Too many attempts. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
  }
  return PLAIN_WORDS[error.code] ?? error.message;
}

/** How often the page looks for new money while it is visible. */
const REFRESH_INTERVAL_MS = 5_000;

/** Everything the page knows of the person signed in; reset whole at logout and expiry. */
interface SignedInState {
  wallets: Wallet[];
  wallet: Wallet | null;
  /** What the selected wallet's pending holds reserve, as last shown. */
  heldBalance: string | null;
  endCursor: string | null;
  /** The selected wallet's operations loaded so far, newest first (for the chart). */
  loaded: Operation[];
  /** One idempotency key per payment: reused when the same form is sent again (retry, double submit). */
  pendingKey: { fingerprint: string; key: string } | null;
  refreshTimer: number | null;
}

const emptyState = (): SignedInState => ({
  wallets: [],
  wallet: null,
  heldBalance: null,
  endCursor: null,
  loaded: [],
  pendingKey: null,
  refreshTimer: null,
});

let state = emptyState();

/**
 * Forgets everything of the person who was signed in: the forms (sent or
 * not), every message, the wallets, operations and chart, anything in the
 * browser's storage. The next person to sign in in this tab sees none of it.
 */
function resetClientState(): void {
  if (state.refreshTimer !== null) clearInterval(state.refreshTimer);
  state = emptyState();
  for (const form of document.querySelectorAll('form')) form.reset();
  for (const input of document.querySelectorAll('input')) input.removeAttribute('aria-invalid');
  for (const message of document.querySelectorAll('.error, .success, #copied')) {
    message.textContent = '';
  }
  for (const id of ['balance', 'currency', 'wallet-id', 'who', 'available', 'held']) {
    $(id).textContent = '';
  }
  for (const id of ['wallet-list', 'operations', 'chart', 'holds']) $(id).replaceChildren();
  $('held-part').hidden = true;
  clearStatement();
  $('load-more').hidden = true;
  $('no-operations').hidden = true;
  sessionStorage.clear();
  localStorage.clear();
}

/** No statement shown (another wallet chosen, or nobody signed in). */
function clearStatement(): void {
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
function defaultPeriod(): void {
  const today = new Date();
  $<HTMLInputElement>('statement-from').value = dayInput(
    new Date(today.getFullYear(), today.getMonth(), 1),
  );
  $<HTMLInputElement>('statement-to').value = dayInput(today);
}

function precisionOf(balance: string): number {
  return balance.includes('.') ? balance.split('.')[1].length : 0;
}

/** Why an amount cannot be sent in the wallet's currency, or '' (the server stays the authority). */
function amountProblem(text: string, current: Wallet): string {
  if (text === '') return '';
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) return 'Enter an amount such as 10.50.';
  const precision = precisionOf(current.balance);
  const decimals = text.includes('.') ? text.split('.')[1].length : 0;
  if (decimals > precision) {
    return precision === 0
      ? `${current.currency} amounts have no decimals.`
      : `${current.currency} amounts have at most ${precision} decimals.`;
  }
  if (!/[1-9]/.test(text)) return 'The amount must be more than zero.';
  return '';
}

function notice(text: string): void {
  const box = $('notice');
  box.textContent = text;
  box.hidden = text === '';
}

function showAuth(): void {
  resetClientState();
  $('auth').hidden = false;
  $('home').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
}

/** Any request may find the session gone: back to the login form, saying why. */
function handleExpiry(error: unknown): boolean {
  if (error instanceof GraphQLFailure && error.code === 'UNAUTHENTICATED') {
    showAuth();
    notice('Your session has expired. Please log in again.');
    return true;
  }
  return false;
}

function renderWallet(current: Wallet): void {
  $('balance').textContent = current.balance;
  $('currency').textContent = current.currency;
  $('wallet-id').textContent = current.id;
  state.wallets = state.wallets.map((w) => (w.id === current.id ? current : w));
  renderWalletList();
}

function renderWalletList(): void {
  $('wallet-list').replaceChildren(
    ...state.wallets.map((w) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `${w.currency} ${w.balance}`;
      button.setAttribute('aria-pressed', String(w.id === state.wallet?.id));
      button.addEventListener('click', () => void selectWallet(w));
      return button;
    }),
  );
}

/** The balance apart from what is held, and the pending holds, when anything is held. */
function renderHolds(detail: WalletDetail): void {
  state.heldBalance = detail.heldBalance;
  const held = minorUnits(detail.heldBalance) > 0n;
  $('held-part').hidden = !held;
  $('available').textContent = held ? `${detail.availableBalance} ${detail.currency}` : '';
  $('held').textContent = held ? `${detail.heldBalance} ${detail.currency}` : '';
  $('holds').replaceChildren(
    ...(held ? detail.holds.nodes : []).map((hold: Hold) => {
      const item = document.createElement('li');
      const until = new Date(hold.expiresAt).toLocaleString();
      item.textContent = `${hold.amount} ${detail.currency} for ${hold.details ?? hold.reference}, until ${until}`;
      return item;
    }),
  );
}

async function selectWallet(chosen: Wallet): Promise<void> {
  state.wallet = chosen;
  renderWallet(chosen);
  clearStatement();
  clearSendMessages();
  $('send-result').textContent = '';
  await loadOperations(true).catch((error) => {
    if (!handleExpiry(error)) notice(plainWords(error));
  });
}

/** Minor units of a decimal string, exactly (the chart scales these, no float touches an amount). */
function minorUnits(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

/** The balance after each loaded operation, oldest to newest, as a line. */
function renderChart(): void {
  const points = [...state.loaded].reverse().map((op) => minorUnits(op.balanceAfter));
  const box = $('chart');
  if (points.length < 2) {
    box.innerHTML = '<p class="hint">The chart appears after two operations.</p>';
    return;
  }
  const top = points.reduce((a, b) => (b > a ? b : a), 1n);
  const width = 1000;
  const height = 200;
  const coordinates = points
    .map((value, i) => {
      const x = Math.round((i * width) / (points.length - 1));
      const y = height - Number((value * BigInt(height)) / top);
      return `${x},${y}`;
    })
    .join(' ');
  box.innerHTML =
    `<svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" ` +
    `aria-label="Balance over the last ${points.length} operations">` +
    `<line class="axis" x1="0" y1="${height}" x2="${width}" y2="${height}"></line>` +
    `<polyline points="${coordinates}"></polyline></svg>`;
}

function operationRow(op: Operation): HTMLTableRowElement {
  const row = document.createElement('tr');
  const incoming = op.type === 'DEPOSIT' || op.type === 'TRANSFER_IN';
  const label: Record<Operation['type'], string> = {
    DEPOSIT: 'Deposit',
    WITHDRAWAL: 'Withdrawal',
    TRANSFER_IN: 'Received',
    TRANSFER_OUT: 'Sent',
  };
  const cells: [string, string][] = [
    [new Date(op.createdAt).toLocaleString(), ''],
    [label[op.type], ''],
    [op.counterpartyName ?? '—', op.counterpartyName === null ? '' : 'counterparty'],
    [op.details ?? '', ''],
    [`${incoming ? '+' : '−'}${op.amount}`, `num ${incoming ? 'in' : 'out'}`],
    [op.balanceAfter, 'num'],
  ];
  for (const [text, className] of cells) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (className) cell.className = className;
    row.append(cell);
  }
  return row;
}

async function loadOperations(reset: boolean): Promise<void> {
  const { wallet } = state;
  if (!wallet) return;
  if (reset) state.endCursor = null;
  const data = await gql<{
    wallet: WalletDetail & {
      operations: {
        nodes: Operation[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  }>(OPERATIONS, { id: wallet.id, after: state.endCursor });
  // The person may have signed out, or chosen another wallet, while this was on its way.
  if (state.wallet?.id !== wallet.id) return;
  state.wallet = {
    id: data.wallet.id,
    currency: data.wallet.currency,
    balance: data.wallet.balance,
  };
  renderWallet(state.wallet);
  renderHolds(data.wallet);
  const body = $('operations');
  if (reset) {
    body.replaceChildren();
    state.loaded = [];
  }
  state.loaded.push(...data.wallet.operations.nodes);
  body.append(...data.wallet.operations.nodes.map(operationRow));
  renderChart();
  state.endCursor = data.wallet.operations.pageInfo.endCursor;
  $('load-more').hidden = !data.wallet.operations.pageInfo.hasNextPage;
  $('no-operations').hidden = body.childElementCount > 0;
}

async function showHome(signedIn: User): Promise<void> {
  resetClientState();
  state.wallets = signedIn.wallets;
  state.wallet = signedIn.wallets[0] ?? null;
  $('auth').hidden = true;
  $('home').hidden = false;
  $('who').textContent = signedIn.name;
  $('who').hidden = false;
  $('logout').hidden = false;
  defaultPeriod();
  state.refreshTimer = window.setInterval(() => void refresh(), REFRESH_INTERVAL_MS);
  if (state.wallet) {
    renderWallet(state.wallet);
    await loadOperations(true);
  }
}

/**
 * Money that arrives while the page is open (a deposit, a payment) shows up
 * without a reload: every few seconds while the page is visible, and when it
 * regains focus. One small query; the operations are read again only when
 * the selected wallet has a new one.
 */
async function refresh(): Promise<void> {
  const { wallet } = state;
  if (!wallet || document.visibilityState !== 'visible' || $<HTMLButtonElement>('send').disabled) {
    return;
  }
  try {
    const data = await gql<{
      me: { wallets: Wallet[] } | null;
      wallet: { heldBalance: string; operations: { nodes: { id: string }[] } };
    }>(REFRESH, { id: wallet.id });
    if (data.me === null) throw new GraphQLFailure('UNAUTHENTICATED', 'signed out');
    if (state.wallet?.id !== wallet.id) return;
    state.wallets = data.me.wallets;
    renderWalletList();
    const newest = data.wallet.operations.nodes[0]?.id;
    const changed =
      (newest !== undefined && newest !== state.loaded[0]?.id) ||
      data.wallet.heldBalance !== state.heldBalance;
    if (changed) await loadOperations(true);
  } catch (error) {
    // A refresh that fails says nothing unless the session is gone; the next one tries again.
    handleExpiry(error);
  }
}

function keyFor(fingerprint: string): string {
  if (state.pendingKey?.fingerprint !== fingerprint) {
    state.pendingKey = { fingerprint, key: crypto.randomUUID() };
  }
  return state.pendingKey.key;
}

/** Where each refusal of a payment is shown: next to the field it concerns. */
function sendErrorPlace(error: unknown): 'to-error' | 'amount-error' | 'note-error' | 'send-error' {
  if (!(error instanceof GraphQLFailure)) return 'send-error';
  switch (error.code) {
    case 'NOT_FOUND':
    case 'CURRENCY_MISMATCH':
      return 'to-error';
    case 'INSUFFICIENT_FUNDS':
      return 'amount-error';
    case 'BAD_USER_INPUT':
      if (error.details.field === 'toWalletId') return 'to-error';
      if (error.details.field === 'amount') return 'amount-error';
      if (error.details.field === 'details') return 'note-error';
      return 'send-error';
    default:
      return 'send-error';
  }
}

const SEND_FIELDS = {
  'to-error': 'send-to',
  'amount-error': 'send-amount',
  'note-error': 'send-note',
};

function showSendError(place: ReturnType<typeof sendErrorPlace>, text: string): void {
  $(place).textContent = text;
  if (place !== 'send-error') $(SEND_FIELDS[place]).setAttribute('aria-invalid', 'true');
}

function clearSendMessages(): void {
  for (const [place, field] of Object.entries(SEND_FIELDS)) {
    $(place).textContent = '';
    $(field).removeAttribute('aria-invalid');
  }
  $('send-error').textContent = '';
}

function wireForms(): void {
  const authForm = (id: string, errorId: string, submit: (form: FormData) => Promise<User>) => {
    const form = $<HTMLFormElement>(id);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button') as HTMLButtonElement;
      button.disabled = true;
      $(errorId).textContent = '';
      try {
        notice('');
        await showHome(await submit(new FormData(form)));
        form.reset();
      } catch (error) {
        $(errorId).textContent = plainWords(error);
      } finally {
        button.disabled = false;
      }
    });
  };
  authForm(
    'login-form',
    'login-error',
    async (form) =>
      (
        await gql<{ login: User }>(LOGIN, {
          input: { email: form.get('email'), password: form.get('password') },
        })
      ).login,
  );
  authForm(
    'signup-form',
    'signup-error',
    async (form) =>
      (
        await gql<{ signup: User }>(SIGNUP, {
          input: {
            name: form.get('name'),
            email: form.get('email'),
            password: form.get('password'),
          },
        })
      ).signup,
  );

  $('logout').addEventListener('click', async () => {
    await gql(LOGOUT).catch(() => undefined);
    showAuth();
    notice('You are logged out.');
  });

  window.addEventListener('focus', () => void refresh());
  document.addEventListener('visibilitychange', () => void refresh());

  $('copy-id').addEventListener('click', async () => {
    const { wallet } = state;
    if (!wallet) return;
    const copied = await navigator.clipboard.writeText(wallet.id).then(
      () => true,
      () => false,
    );
    $('copied').textContent = copied ? 'Copied.' : 'Select the id and copy it by hand.';
    setTimeout(() => ($('copied').textContent = ''), 2000);
  });

  const amount = $<HTMLInputElement>('send-amount');
  amount.addEventListener('input', () => {
    const problem = state.wallet ? amountProblem(amount.value.trim(), state.wallet) : '';
    $('amount-error').textContent = problem;
    amount.setAttribute('aria-invalid', String(problem !== ''));
  });

  const sendForm = $<HTMLFormElement>('send-form');
  sendForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $<HTMLButtonElement>('send');
    const { wallet } = state;
    if (button.disabled || !wallet) return; // a double click sends once
    const to = $<HTMLInputElement>('send-to').value.trim();
    const value = amount.value.trim();
    const note = $<HTMLInputElement>('send-note').value.trim();
    clearSendMessages();
    $('send-result').textContent = '';
    const problem = amountProblem(value, wallet) || (value === '' ? 'Enter an amount.' : '');
    if (problem || to === '') {
      if (problem) showSendError('amount-error', problem);
      if (to === '') showSendError('to-error', 'Enter the recipient wallet id.');
      return;
    }
    const input = {
      fromWalletId: wallet.id,
      toWalletId: to,
      amount: value,
      details: note === '' ? null : note,
    };
    const idempotencyKey = keyFor(JSON.stringify([wallet.id, input]));
    button.disabled = true;
    try {
      const result = await gql<{
        walletToWallet: { transfer: { amount: string; currency: string }; wallet: Wallet };
      }>(SEND, { input: { ...input, idempotencyKey } });
      state.pendingKey = null; // done: the next payment gets a new key
      const { transfer } = result.walletToWallet;
      $('send-result').textContent = `Sent ${transfer.amount} ${transfer.currency}.`;
      sendForm.reset();
      await loadOperations(true);
    } catch (error) {
      if (handleExpiry(error)) return;
      // A refusal leaves no trace: a changed form gets a new key, the same form reuses this one.
      showSendError(sendErrorPlace(error), plainWords(error));
    } finally {
      button.disabled = false;
    }
  });

  const openForm = $<HTMLFormElement>('open-form');
  openForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const currency = $<HTMLSelectElement>('open-currency').value;
    $('open-error').textContent = '';
    try {
      const { openWallet } = await gql<{ openWallet: Wallet }>(OPEN_WALLET, { currency });
      state.wallets = [...state.wallets, openWallet];
      await selectWallet(openWallet);
    } catch (error) {
      if (handleExpiry(error)) return;
      $('open-error').textContent =
        error instanceof GraphQLFailure && error.code === 'ALREADY_EXISTS'
          ? `You already have a ${currency} wallet.`
          : plainWords(error);
    }
  });

  const statementForm = $<HTMLFormElement>('statement-form');
  statementForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { wallet } = state;
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
      if (state.wallet?.id !== wallet.id) return;
      const { statement } = data.wallet;
      const show = (id: string, amount: string) =>
        ($(`statement-${id}`).textContent = `${amount} ${wallet.currency}`);
      show('opening', statement.openingBalance);
      show('in', statement.totalIn);
      show('out', statement.totalOut);
      show('closing', statement.closingBalance);
      $<HTMLAnchorElement>('statement-csv').href =
        `/wallets/${wallet.id}/statement.csv?${new URLSearchParams(period)}`;
      $('statement-result').hidden = false;
    } catch (error) {
      if (!handleExpiry(error)) refuse(plainWords(error));
    }
  });

  $('load-more').addEventListener('click', () => {
    loadOperations(false).catch((error) => {
      if (!handleExpiry(error)) notice(plainWords(error));
    });
  });
}

async function start(): Promise<void> {
  wireForms();
  try {
    const { me } = await gql<{ me: User | null }>(ME);
    if (me) await showHome(me);
    else showAuth();
  } catch (error) {
    showAuth();
    notice(plainWords(error));
  }
}

void start();
