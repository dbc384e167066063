/**
 * `wallet audit`: the ledger's own check that every balance, leg and total
 * adds up (ledger/audit.ts), read from one snapshot while money may move.
 */
import type { Database } from '../db/database';
import { audit, type AuditReport } from '../ledger/audit';

export function auditLedger(db: Database): Promise<AuditReport> {
  return audit(db);
}
