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
}

export interface Operation {
  id: string;
  type: 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_IN' | 'TRANSFER_OUT';
  amount: string;
  balanceAfter: string;
  counterpartyWalletId: string | null;
  /** The other party's name on a transfer's leg. */
  counterpartyName: string | null;
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
  availableBalance: string;
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

const USER = 'id name email wallets { id currency balance }';

export const ME = `query Me { me { ${USER} } }`;
export const SIGNUP = `mutation Signup($input: SignupInput!) { signup(input: $input) { ${USER} } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${USER} } }`;
export const LOGOUT = `mutation Logout { logout }`;
export const OPERATIONS = `query Operations($id: ID!, $after: String) {
  wallet(id: $id) {
    id currency balance availableBalance heldBalance
    holds(status: PENDING, first: 20) { nodes { id amount reference details expiresAt } }
    operations(first: 20, after: $after) {
      nodes { id type amount balanceAfter counterpartyWalletId counterpartyName details createdAt }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
export const SEND = `mutation Send($input: WalletToWalletInput!) {
  walletToWallet(input: $input) { transfer { id amount currency } wallet { id currency balance } }
}`;
/** What the page checks every few seconds: balances, and whether the selected wallet has a new operation or hold. */
export const REFRESH = `query Refresh($id: ID!) {
  me { wallets { id currency balance } }
  wallet(id: $id) { heldBalance operations(first: 1) { nodes { id } } }
}`;
export const STATEMENT = `query Statement($id: ID!, $from: DateTime!, $to: DateTime!) {
  wallet(id: $id) { statement(from: $from, to: $to) { openingBalance closingBalance totalIn totalOut } }
}`;
export const OPEN_WALLET = `mutation Open($currency: String!) { openWallet(currency: $currency) { id currency balance } }`;
