import type { WalletIdentity } from '../domain/records';
import type { UserId, WalletId } from '../domain/ids';

/** How many wallets a process remembers before it starts over. */
const WALLETS_MAX = 100_000;

/**
 * Which wallet is whose, remembered. A wallet's id, owner and currency never
 * change and no wallet is ever deleted, so what one read found holds for good,
 * on every instance: a transfer between wallets seen before finds them
 * without a statement (on PostgreSQL, one round trip of four). Only wallets
 * found are remembered, never an absence (a wallet may be opened later), and
 * never a balance: a movement reads balances under its locks.
 */
export class WalletDirectory {
  private readonly byId = new Map<WalletId, WalletIdentity>();
  private readonly byOwnerAndCurrency = new Map<string, WalletIdentity>();

  /** Remembers a wallet found in the database; its identity, which is all a caller gets either way. */
  remember(wallet: WalletIdentity): WalletIdentity {
    if (this.byId.size >= WALLETS_MAX) {
      this.byId.clear();
      this.byOwnerAndCurrency.clear();
    }
    const identity = { id: wallet.id, userId: wallet.userId, currency: wallet.currency };
    this.byId.set(identity.id, identity);
    this.byOwnerAndCurrency.set(ownerKey(identity.userId, identity.currency), identity);
    return identity;
  }

  byWalletId(id: string): WalletIdentity | undefined {
    return this.byId.get(id as WalletId);
  }

  ofOwner(userId: UserId, currency: string): WalletIdentity | undefined {
    return this.byOwnerAndCurrency.get(ownerKey(userId, currency));
  }
}

const ownerKey = (userId: UserId, currency: string) => `${userId} ${currency}`;
