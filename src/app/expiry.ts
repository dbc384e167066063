/**
 * Expiries that need nobody to touch them: holds and payment requests past
 * their time (by the database's clock) are stored as EXPIRED, their reserve
 * released, and their events written, a few at a time. Readers never wait
 * for this: they read them as EXPIRED already.
 */
import type { Services } from './services';
import { walletsWithExpiredHolds } from '../db/queries';
import { expirePaymentRequests } from './payment-requests';

/** Wallets and requests seen to per round. */
const EXPIRY_BATCH = 50;

export async function expireDue(services: Services): Promise<void> {
  const { db, ledger, currencies } = services;
  const wallets = await db.read((sql) => walletsWithExpiredHolds(sql, EXPIRY_BATCH));
  for (const walletId of wallets) {
    // One busy wallet (WALLET_BUSY) waits for the next round; the others go on.
    await ledger
      .expireHolds(walletId)
      .catch((err) => services.log.warn({ err, walletId }, 'holds not expired; tried again later'));
  }
  await expirePaymentRequests(db, currencies, EXPIRY_BATCH);
}
