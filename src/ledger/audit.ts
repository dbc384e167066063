/**
 * Recomputes everything the ledger promises from its rows, and lists what differs:
 * each balance equals the sum of its operations and is never negative; each
 * operation's balanceAfter follows from the one before; each transfer has one
 * debit and one credit of its amount; per currency, deposits - withdrawals = balances.
 */
import type { Database } from '../db/database';
import {
  OPERATION_COLUMNS,
  TRANSFER_COLUMNS,
  WALLET_COLUMNS,
  toOperation,
  toTransfer,
  toWallet,
} from '../db/rows';
import { signedMinor } from './ledger';

export interface AuditReport {
  wallets: number;
  operations: number;
  transfers: number;
  discrepancies: string[];
}

export async function audit(db: Database): Promise<AuditReport> {
  // One snapshot: the service may be moving money while the audit reads.
  return db.snapshot(async (sql) => {
    const wallets = (await sql.rows(`SELECT ${WALLET_COLUMNS} FROM wallets ORDER BY seq`)).map(
      toWallet,
    );
    const operations = (
      await sql.rows(`SELECT ${OPERATION_COLUMNS} FROM operations ORDER BY wallet_id, seq`)
    ).map(toOperation);
    const transfers = (await sql.rows(`SELECT ${TRANSFER_COLUMNS} FROM transfers`)).map(toTransfer);
    const discrepancies: string[] = [];

    const walletById = new Map(wallets.map((w) => [w.id, w]));
    const computed = new Map<string, bigint>();
    const externalNetByCurrency = new Map<string, bigint>();
    const legsByTransfer = new Map<string, typeof operations>();

    for (const op of operations) {
      const wallet = walletById.get(op.walletId);
      if (!wallet) {
        discrepancies.push(`operation ${op.id} belongs to unknown wallet ${op.walletId}`);
        continue;
      }
      const before = computed.get(op.walletId) ?? 0n;
      const after = before + signedMinor(op);
      if (after !== op.balanceAfterMinor) {
        discrepancies.push(
          `wallet ${op.walletId}: operation ${op.id} (${op.type} ${op.amountMinor}) records balanceAfter ${op.balanceAfterMinor}, but the operations before it give ${after}`,
        );
      }
      if (after < 0n)
        discrepancies.push(`wallet ${op.walletId} goes negative at operation ${op.id}`);
      computed.set(op.walletId, after);
      if (op.type === 'DEPOSIT' || op.type === 'WITHDRAWAL') {
        const net = externalNetByCurrency.get(wallet.currency) ?? 0n;
        externalNetByCurrency.set(wallet.currency, net + signedMinor(op));
      }
      if (op.transferId !== null) {
        legsByTransfer.set(op.transferId, [...(legsByTransfer.get(op.transferId) ?? []), op]);
      }
    }

    const balanceByCurrency = new Map<string, bigint>();
    for (const wallet of wallets) {
      const sum = computed.get(wallet.id) ?? 0n;
      if (sum !== wallet.balanceMinor) {
        discrepancies.push(
          `wallet ${wallet.id}: balance ${wallet.balanceMinor} but its operations sum to ${sum}`,
        );
      }
      if (wallet.balanceMinor < 0n) discrepancies.push(`wallet ${wallet.id}: negative balance`);
      balanceByCurrency.set(
        wallet.currency,
        (balanceByCurrency.get(wallet.currency) ?? 0n) + wallet.balanceMinor,
      );
    }

    for (const transfer of transfers) {
      const legs = legsByTransfer.get(transfer.id) ?? [];
      legsByTransfer.delete(transfer.id);
      const debits = legs.filter(
        (l) => l.type === 'TRANSFER_OUT' && l.walletId === transfer.fromWalletId,
      );
      const credits = legs.filter(
        (l) => l.type === 'TRANSFER_IN' && l.walletId === transfer.toWalletId,
      );
      const net = legs.reduce((sum, l) => sum + signedMinor(l), 0n);
      if (
        legs.length !== 2 ||
        debits.length !== 1 ||
        credits.length !== 1 ||
        debits[0].amountMinor !== transfer.amountMinor ||
        credits[0].amountMinor !== transfer.amountMinor ||
        net !== 0n
      ) {
        discrepancies.push(
          `transfer ${transfer.id}: expected one debit and one credit of ${transfer.amountMinor}, found ${legs.length} legs summing to ${net}`,
        );
      }
    }
    for (const transferId of legsByTransfer.keys()) {
      discrepancies.push(`operations name transfer ${transferId}, which does not exist`);
    }

    const currencies = new Set([...balanceByCurrency.keys(), ...externalNetByCurrency.keys()]);
    for (const currency of currencies) {
      const balances = balanceByCurrency.get(currency) ?? 0n;
      const external = externalNetByCurrency.get(currency) ?? 0n;
      if (balances !== external) {
        discrepancies.push(
          `${currency}: balances sum to ${balances} but deposits - withdrawals = ${external}`,
        );
      }
    }
    return {
      wallets: wallets.length,
      operations: operations.length,
      transfers: transfers.length,
      discrepancies,
    };
  });
}
