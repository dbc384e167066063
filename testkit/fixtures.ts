/** People and money for tests, made through the public API only. */
import { randomUUID } from 'node:crypto';
import { Client } from './client';
import { ADMIN_ACCOUNT, SERVICE_ACCOUNT } from './server';

export const SIGNUP = `mutation Signup($input: SignupInput!) {
  signup(input: $input) { id name email role wallets { id currency balance } }
}`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { id role } }`;
export const DEPOSIT = `mutation Deposit($input: ExternalToWalletInput!) {
  externalToWallet(input: $input) {
    operation { id walletId type amount balanceAfter reference details createdAt }
    wallet { id balance }
  }
}`;
export const WITHDRAW = `mutation Withdraw($input: WalletToExternalInput!) {
  walletToExternal(input: $input) {
    operation { id walletId type amount balanceAfter reference details }
    wallet { id balance }
  }
}`;
export const SEND = `mutation Send($input: WalletToWalletInput!) {
  walletToWallet(input: $input) {
    transfer { id fromWalletId toWalletId amount currency details createdAt }
    operation { id walletId type amount balanceAfter transferId counterpartyWalletId details }
    wallet { id balance }
  }
}`;

export interface Person {
  client: Client;
  userId: string;
  walletId: string;
  email: string;
  password: string;
}

export async function signUp(baseUrl: string, name = 'Test Person'): Promise<Person> {
  const client = new Client(baseUrl);
  const email = `${randomUUID()}@people.test`;
  const password = 'a-good-password';
  const data = await client.ok(SIGNUP, { input: { name, email, password } });
  return {
    client,
    userId: data.signup.id,
    walletId: data.signup.wallets[0].id,
    email,
    password,
  };
}

export async function signIn(baseUrl: string, account: { email: string; password: string }) {
  const client = new Client(baseUrl);
  await client.ok(LOGIN, { input: account });
  return client;
}

export const signInProvider = (baseUrl: string) => signIn(baseUrl, SERVICE_ACCOUNT);
export const signInAdmin = (baseUrl: string) => signIn(baseUrl, ADMIN_ACCOUNT);

/** Credits `amount` to a wallet through the payment provider's account. */
export async function fund(provider: Client, walletId: string, amount: string): Promise<void> {
  await provider.ok(DEPOSIT, { input: { walletId, amount, reference: randomUUID() } });
}

/** `count` people signed up (20 at a time) and each funded with `amount`: the benchmarks' users. */
export async function signUpFunded(baseUrl: string, count: number, amount: string) {
  const provider = await signInProvider(baseUrl);
  const people: Person[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Math.min(20, count - i);
    people.push(...(await Promise.all(Array.from({ length: batch }, () => signUp(baseUrl)))));
  }
  await Promise.all(people.map((person) => fund(provider, person.walletId, amount)));
  return people;
}

/** A new person named `name`, their wallet funded by `provider` with `amount` (none for '0'). */
export async function fundedPerson(
  baseUrl: string,
  provider: Client,
  amount: string,
  name = 'Someone',
): Promise<Person> {
  const person = await signUp(baseUrl, name);
  if (amount !== '0') await fund(provider, person.walletId, amount);
  return person;
}
