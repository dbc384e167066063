/** The wallet frontend: framework-free, talking GraphQL to the service it is served by. */
import { GraphQLFailure, LOGOUT, ME, OPERATIONS, REFRESH, gql } from './api.js';
import type { Hold, Operation, User, Wallet, WalletDetail } from './api.js';
import { wireAuthForms } from './auth.js';
import { renderChart } from './chart.js';
import { moneyMoving } from './confirm.js';
import { $, clearResults, element, notice, when } from './dom.js';
import { formatMoney, minorUnits } from './money.js';
import { renderOpenWalletForm, wireOpenWalletForm } from './open-wallet.js';
import { forgetReceipt, receiptInAddress, showReceipt, wireRefundForm } from './receipt.js';
import { loadRequests, requestsFingerprint, wireRequestForm } from './requests.js';
import { clearSendMessages, wireSendForm } from './send.js';
import { emptyState, state } from './state.js';
import { clearStatement, defaultPeriod, wireStatementForm } from './statement.js';
import { plainWords, sessionEnded, whenSessionEnds } from './words.js';

/** How often the page looks for new money while it is visible (docs/design.md says why polling). */
const REFRESH_INTERVAL_MS = 5_000;

/**
 * Forgets everything of the person who was signed in: the forms (sent or
 * not), every message, the wallets, operations and chart, anything in the
 * browser's storage. The next person to sign in in this tab sees none of it.
 */
function resetClientState(): void {
  if (state.current.refreshTimer !== null) clearInterval(state.current.refreshTimer);
  state.current = emptyState();
  for (const form of document.querySelectorAll('form')) form.reset();
  for (const input of document.querySelectorAll('input')) input.removeAttribute('aria-invalid');
  for (const message of document.querySelectorAll('.error, .success, #copied'))
    message.textContent = '';
  for (const id of ['balance', 'currency', 'wallet-id', 'who', 'available', 'held'])
    $(id).textContent = '';
  for (const id of [
    'wallet-list',
    'operations',
    'chart',
    'chart-table',
    'holds',
    'incoming-requests',
    'outgoing-requests',
    'receipt-figures',
    'receipt-refunds',
    'send-result',
  ]) {
    $(id).replaceChildren();
  }
  $('held-part').hidden = true;
  $('incoming').hidden = true;
  forgetReceipt();
  clearSendMessages();
  clearStatement();
  $('load-more').hidden = true;
  $('no-operations').hidden = true;
  sessionStorage.clear();
  localStorage.clear();
}

function showAuth(): void {
  resetClientState();
  $('auth').hidden = false;
  $('home').hidden = true;
  $('receipt').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
}

whenSessionEnds(() => {
  showAuth();
  notice('Your session has expired. Please log in again.');
});

function renderWallet(current: Wallet): void {
  $('balance').textContent = formatMoney(current.balance, current.currency);
  $('currency').textContent = current.currency;
  $('wallet-id').textContent = current.id;
  state.current.wallets = state.current.wallets.map((w) => (w.id === current.id ? current : w));
  renderWalletList();
}

function renderWalletList(): void {
  const { wallets, wallet } = state.current;
  $('wallet-list').replaceChildren(
    ...wallets.map((w) => {
      const button = element(
        'button',
        { type: 'button' },
        `${w.currency} ${formatMoney(w.balance, w.currency)}`,
      );
      button.setAttribute('aria-pressed', String(w.id === wallet?.id));
      button.addEventListener('click', () => void selectWallet(w));
      return button;
    }),
  );
  renderOpenWalletForm(wallets);
}

/** The balance apart from what is held, and the pending holds, when anything is held. */
function renderHolds(detail: WalletDetail): void {
  state.current.heldBalance = detail.heldBalance;
  const held = minorUnits(detail.heldBalance) > 0n;
  const money = (amount: string) => formatMoney(amount, detail.currency);
  $('held-part').hidden = !held;
  $('available').textContent = held ? money(detail.availableBalance) : '';
  $('held').textContent = held ? money(detail.heldBalance) : '';
  $('holds').replaceChildren(
    ...(held ? detail.holds.nodes : []).map((hold: Hold) =>
      element(
        'li',
        {},
        // In words: the provider's reference means nothing to the person.
        `${money(hold.amount)} for ${hold.details ?? 'a payment not settled yet'}, until ${when(hold.expiresAt)}`,
      ),
    ),
  );
}

async function selectWallet(chosen: Wallet): Promise<void> {
  state.current.wallet = chosen;
  renderWallet(chosen);
  clearStatement();
  clearSendMessages();
  $('send-result').replaceChildren();
  await loadOperations(true).catch((error) => {
    if (!sessionEnded(error)) notice(plainWords(error));
  });
}

const OPERATION_LABEL: Record<Operation['type'], string> = {
  DEPOSIT: 'Deposit',
  WITHDRAWAL: 'Withdrawal',
  TRANSFER_IN: 'Received',
  TRANSFER_OUT: 'Sent',
};

/** A refund's legs are no ordinary income or spending: they say so, and with whom. */
const REFUND_LABEL: Partial<Record<Operation['type'], string>> = {
  TRANSFER_IN: 'Refund from',
  TRANSFER_OUT: 'Refund to',
};

function operationRow(op: Operation, currency: string): HTMLTableRowElement {
  const incoming = op.type === 'DEPOSIT' || op.type === 'TRANSFER_IN';
  const refund = op.refundOf === null ? undefined : REFUND_LABEL[op.type];
  const label = refund ?? OPERATION_LABEL[op.type];
  // A transfer's leg links to its receipt; the link says which one for a screen reader.
  const whose = refund === undefined ? label : `${label} ${op.counterpartyName ?? 'a wallet'}`;
  const type =
    op.transferId === null
      ? label
      : element(
          'a',
          {
            href: `#transfer/${op.transferId}`,
            'aria-label': `${whose}: the receipt of ${formatMoney(op.amount, currency)}`,
          },
          label,
        );
  // Each cell's class places it on a phone, where a row is a card (styles.css).
  const cells: [Node | string, string][] = [
    [when(op.createdAt), 'when'],
    [type, 'type'],
    [
      op.counterpartyName ?? '—',
      op.counterpartyName === null ? 'party muted' : 'party counterparty',
    ],
    [op.details ?? '', 'note'],
    [
      `${incoming ? '+' : '−'}${formatMoney(op.amount, currency)}`,
      `amount num ${incoming ? 'in' : 'out'}`,
    ],
    [formatMoney(op.balanceAfter, currency), 'after num'],
  ];
  const row = element(
    'tr',
    {},
    ...cells.map(([content, className]) => element('td', { className }, content)),
  );
  // Its header is hidden on a phone: the balance says what it is there.
  row.lastElementChild?.setAttribute('data-label', 'Balance after');
  return row;
}

async function loadOperations(reset: boolean): Promise<void> {
  const { wallet } = state.current;
  if (!wallet) return;
  if (reset) state.current.endCursor = null;
  const data = await gql<{
    wallet: WalletDetail & {
      operations: {
        nodes: Operation[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  }>(OPERATIONS, { id: wallet.id, after: state.current.endCursor });
  // The person may have signed out, or chosen another wallet, while this was on its way.
  if (state.current.wallet?.id !== wallet.id) return;
  const { id, currency, balance, availableBalance } = data.wallet;
  state.current.wallet = { id, currency, balance, availableBalance };
  renderWallet(state.current.wallet);
  renderHolds(data.wallet);
  const body = $('operations');
  if (reset) {
    body.replaceChildren();
    state.current.loaded = [];
  }
  const { nodes, pageInfo } = data.wallet.operations;
  state.current.loaded.push(...nodes);
  body.append(...nodes.map((op) => operationRow(op, currency)));
  renderChart($('chart'), $('chart-table'), state.current.loaded, currency);
  state.current.endCursor = pageInfo.endCursor;
  $('load-more').hidden = !pageInfo.hasNextPage;
  $('no-operations').hidden = body.childElementCount > 0;
}

/** Everything on the wallet screen that can change behind the person's back, read again. */
async function reloadAll(): Promise<void> {
  await Promise.all([loadOperations(true), loadRequests(reloadAll)]);
}

/** The wallet, or one transfer's receipt, as the address says. */
async function route(): Promise<void> {
  if (!$('auth').hidden) return;
  const transferId = receiptInAddress();
  $('home').hidden = transferId !== null;
  $('receipt').hidden = transferId === null;
  if (transferId === null) return;
  await showReceipt(transferId);
  $('receipt-title').focus();
}

async function showHome(signedIn: User): Promise<void> {
  resetClientState();
  state.current.wallets = signedIn.wallets;
  state.current.wallet = signedIn.wallets[0] ?? null;
  $('auth').hidden = true;
  $('who').textContent = signedIn.name;
  $('who').hidden = false;
  $('logout').hidden = false;
  defaultPeriod();
  state.current.refreshTimer = window.setInterval(() => void refresh(), REFRESH_INTERVAL_MS);
  await route();
  if (state.current.wallet) renderWallet(state.current.wallet);
  await reloadAll();
}

/**
 * Money that arrives while the page is open (a deposit, a payment, a
 * request) shows up without a reload: every few seconds while the page is
 * visible, and when it regains focus. One small query; the operations and
 * requests are read again only when they have changed.
 */
async function refresh(): Promise<void> {
  const { wallet } = state.current;
  if (!wallet || document.visibilityState !== 'visible' || moneyMoving()) return;
  try {
    const data = await gql<{
      me: { wallets: Wallet[] } | null;
      wallet: { heldBalance: string; operations: { nodes: { id: string }[] } };
      incoming: { nodes: { id: string; status: string }[] };
      outgoing: { nodes: { id: string; status: string }[] };
    }>(REFRESH, { id: wallet.id });
    if (data.me === null) throw new GraphQLFailure('UNAUTHENTICATED', 'signed out');
    if (state.current.wallet?.id !== wallet.id) return;
    state.current.wallets = data.me.wallets;
    renderWalletList();
    const newest = data.wallet.operations.nodes[0]?.id;
    const moved =
      (newest !== undefined && newest !== state.current.loaded[0]?.id) ||
      data.wallet.heldBalance !== state.current.heldBalance;
    const asked =
      requestsFingerprint([data.incoming, data.outgoing]) !== state.current.requestsShown;
    const receipt = receiptInAddress();
    await Promise.all([
      moved ? loadOperations(true) : null,
      asked ? loadRequests(reloadAll) : null,
      // A receipt on screen shows refunds made meanwhile.
      moved && receipt !== null ? showReceipt(receipt) : null,
    ]);
  } catch (error) {
    // A refresh that fails says nothing unless the session is gone; the next one tries again.
    sessionEnded(error);
  }
}

function wireAuth(): void {
  wireAuthForms(showHome);
  $('logout').addEventListener('click', async () => {
    await gql(LOGOUT).catch(() => undefined);
    // A receipt's address stays with the person who opened it, not the next one.
    history.replaceState(null, '', location.pathname);
    showAuth();
    notice('You are logged out.');
  });
}

function wireWallet(): void {
  // A result ("Sent …") is about the last action: pressing any button starts the next one.
  // (Links keep theirs: a link taken out of the page would not be followed.)
  document.addEventListener(
    'click',
    (event) => {
      if (event.target instanceof Element && event.target.closest('button')) clearResults();
    },
    true,
  );
  window.addEventListener('focus', () => void refresh());
  document.addEventListener('visibilitychange', () => void refresh());
  window.addEventListener('hashchange', () => void route());
  let resized: number | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resized);
    resized = window.setTimeout(() => {
      const { wallet, loaded } = state.current;
      if (wallet) renderChart($('chart'), $('chart-table'), loaded, wallet.currency);
    }, 200);
  });

  $('copy-id').addEventListener('click', async () => {
    const { wallet } = state.current;
    if (!wallet) return;
    const copied = await navigator.clipboard.writeText(wallet.id).then(
      () => true,
      () => false,
    );
    $('copied').textContent = copied ? 'Copied.' : 'Select the id and copy it by hand.';
    setTimeout(() => ($('copied').textContent = ''), 2000);
  });

  wireOpenWalletForm(async (opened) => {
    state.current.wallets = [...state.current.wallets, opened];
    await selectWallet(opened);
  });

  $('load-more').addEventListener('click', () => {
    loadOperations(false).catch((error) => {
      if (!sessionEnded(error)) notice(plainWords(error));
    });
  });
}

async function start(): Promise<void> {
  wireAuth();
  wireWallet();
  // A payment or a refund changes the operations; paying a request changes both.
  wireSendForm(() => loadOperations(true));
  wireRequestForm(reloadAll);
  wireRefundForm(() => loadOperations(true));
  wireStatementForm();
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
