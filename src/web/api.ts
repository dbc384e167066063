/** GraphQL over fetch, with the session cookie; errors keep the contract's code. */

/** What a refusal's `extensions` may say beside its code. */
export interface FailureDetails {
  /** BAD_USER_INPUT: the input field at fault. */
  field?: string;
  /** RATE_LIMITED: seconds until an attempt may succeed. */
  retryAfterSeconds?: number;
}

export class GraphQLFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: FailureDetails = {},
  ) {
    super(message);
  }
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GraphQLFailure(
      'NETWORK',
      'The service could not be reached. Check your connection and try again.',
    );
  }
  const body = (await response.json().catch(() => ({}))) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } & FailureDetails }[];
  };
  const error = body.errors?.[0];
  if (error) {
    const { code, field, retryAfterSeconds } = error.extensions ?? {};
    throw new GraphQLFailure(code ?? 'UNKNOWN', error.message, { field, retryAfterSeconds });
  }
  return body.data as T;
}

export interface Wallet {
  id: string;
  currency: string;
  balance: string;
  /** The balance less what pending holds reserve: what can be sent, paid or given back. */
  availableBalance: string;
}

export interface Operation {
  id: string;
  type: 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_IN' | 'TRANSFER_OUT';
  amount: string;
  balanceAfter: string;
  counterpartyWalletId: string | null;
  /** The other party's name on a transfer's leg. */
  counterpartyName: string | null;
  /** The transfer a TRANSFER_IN or TRANSFER_OUT leg is part of: its receipt. */
  transferId: string | null;
  /** A refund's leg: the transfer it gives back (part of). */
  refundOf: string | null;
  details: string | null;
  createdAt: string;
}

/** A pending hold: money the payment provider has reserved, not yet taken. */
export interface Hold {
  id: string;
  amount: string;
  reference: string;
  details: string | null;
  expiresAt: string;
}

/** The selected wallet as the page shows it: its balances apart, and its pending holds. */
export interface WalletDetail extends Wallet {
  heldBalance: string;
  holds: { nodes: Hold[] };
}

export interface Statement {
  openingBalance: string;
  closingBalance: string;
  totalIn: string;
  totalOut: string;
}

export interface User {
  id: string;
  name: string;
  email: string;
  wallets: Wallet[];
}

const WALLET = 'id currency balance availableBalance';
const USER = `id name email wallets { ${WALLET} }`;

export const ME = `query Me { me { ${USER} } }`;
export const SIGNUP = `mutation Signup($input: SignupInput!) { signup(input: $input) { ${USER} } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${USER} } }`;
export const LOGOUT = `mutation Logout { logout }`;
export const OPERATIONS = `query Operations($id: ID!, $after: String) {
  wallet(id: $id) {
    id currency balance availableBalance heldBalance
    holds(status: PENDING, first: 20) { nodes { id amount reference details expiresAt } }
    operations(first: 20, after: $after) {
      nodes { id type amount balanceAfter counterpartyWalletId counterpartyName transferId refundOf details createdAt }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
export const SEND = `mutation Send($input: WalletToWalletInput!) {
  walletToWallet(input: $input) { transfer { id amount currency } wallet { id currency balance } }
}`;
/** Who a payment by email would reach: shown before the person confirms. */
export const RECIPIENT = `query Recipient($email: String!, $currency: String) {
  recipient(email: $email, currency: $currency) { name walletId }
}`;

export interface Party {
  name: string;
  walletId: string;
}

export interface Transfer {
  id: string;
  amount: string;
  currency: string;
  details: string | null;
  createdAt: string;
  from: Party;
  to: Party;
  refundOf: string | null;
  refundedAmount: string;
  refunds: { id: string; amount: string; createdAt: string }[];
}

export const TRANSFER = `query Receipt($id: ID!) {
  transfer(id: $id) {
    id amount currency details createdAt refundOf refundedAmount
    from { name walletId } to { name walletId }
    refunds { id amount createdAt }
  }
}`;
export const REFUND = `mutation Refund($input: RefundTransferInput!) {
  refundTransfer(input: $input) { transfer { id amount currency } }
}`;

export type RequestStatus = 'PENDING' | 'PAID' | 'DECLINED' | 'CANCELED' | 'EXPIRED';

export interface PaymentRequest {
  id: string;
  amount: string;
  currency: string;
  details: string | null;
  status: RequestStatus;
  requester: Party;
  payer: Party;
  expiresAt: string;
  createdAt: string;
  transfer: { id: string } | null;
}

const REQUEST =
  'id amount currency details status requester { name walletId } payer { name walletId } expiresAt createdAt transfer { id }';

/** The newest requests each way (the page shows these; older ones are in the API). */
export const REQUESTS = `query Requests {
  incoming: paymentRequests(direction: INCOMING, first: 10) { nodes { ${REQUEST} } }
  outgoing: paymentRequests(direction: OUTGOING, first: 10) { nodes { ${REQUEST} } }
}`;
export const REQUEST_PAYMENT = `mutation Ask($input: RequestPaymentInput!) { requestPayment(input: $input) { ${REQUEST} } }`;
export const PAY_REQUEST = `mutation Pay($id: ID!, $key: String) {
  payPaymentRequest(id: $id, idempotencyKey: $key) { transfer { id } }
}`;
export const DECLINE_REQUEST = `mutation Decline($id: ID!) { declinePaymentRequest(id: $id) { id status } }`;
export const CANCEL_REQUEST = `mutation Cancel($id: ID!) { cancelPaymentRequest(id: $id) { id status } }`;
/**
 * What the page checks every few seconds: balances, whether the selected
 * wallet has a new operation or hold, and the requests the page shows.
 */
export const REFRESH = `query Refresh($id: ID!) {
  me { wallets { ${WALLET} } }
  wallet(id: $id) { heldBalance operations(first: 1) { nodes { id } } }
  incoming: paymentRequests(direction: INCOMING, first: 10) { nodes { id status } }
  outgoing: paymentRequests(direction: OUTGOING, first: 10) { nodes { id status } }
}`;
export const STATEMENT = `query Statement($id: ID!, $from: DateTime!, $to: DateTime!) {
  wallet(id: $id) { statement(from: $from, to: $to) { openingBalance closingBalance totalIn totalOut } }
}`;
export const OPEN_WALLET = `mutation Open($currency: String!) { openWallet(currency: $currency) { ${WALLET} } }`;
