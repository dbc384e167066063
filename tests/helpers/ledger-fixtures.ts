/** Users and wallets made directly in a migrated database, for ledger tests. */
import { randomUUID } from 'node:crypto';
import { createUser } from '../../src/app/users';
import { openWallet } from '../../src/app/wallets';
import type { Services } from '../../src/app/services';
import { findWalletOf } from '../../src/db/queries';
import type { WalletRow } from '../../src/domain/records';
import type { UserId } from '../../src/domain/ids';

export async function createPerson(services: Services, currency = 'USD') {
  const user = await createUser(services.db, {
    name: 'Person',
    email: `${randomUUID()}@ledger.test`,
    password: 'a-good-password',
    role: 'USER',
    walletCurrency: null,
  });
  const wallet = await openWallet(services, { userId: user.id, role: user.role }, currency);
  return { user, wallet };
}

export async function createProvider(services: Services) {
  return createUser(services.db, {
    name: 'Provider',
    email: `${randomUUID()}@provider.test`,
    password: 'a-good-password',
    role: 'SERVICE',
    walletCurrency: null,
  });
}

export async function reload(services: Services, wallet: WalletRow): Promise<WalletRow> {
  const found = await services.db.read((sql) =>
    findWalletOf(sql, wallet.userId as UserId, wallet.currency),
  );
  if (!found) throw new Error('wallet vanished');
  return found;
}

/** `count` people's wallets, each funded with `amount` by one provider. */
export async function fundedWallets(
  services: Services,
  count: number,
  amount: string,
): Promise<WalletRow[]> {
  const provider = await createProvider(services);
  const wallets: WalletRow[] = [];
  for (let i = 0; i < count; i++) {
    const { wallet } = await createPerson(services);
    const deposit = await services.ledger.deposit({
      serviceUserId: provider.id,
      wallet,
      amount,
      reference: randomUUID(),
      details: null,
    });
    wallets.push(deposit.wallet);
  }
  return wallets;
}
