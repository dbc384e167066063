/**
 * Reads and writes by topic. Each takes the Sql it runs on: a plain
 * connection, or the ledger's transaction.
 */
export * from './users';
export * from './wallets';
export * from './holds';
export * from './transfers';
export * from './payment-requests';
export * from './admin';
export * from './events';
export * from './sessions';
export * from './settings';
export * from './rate-limits';
export * from './currencies';
export * from './webhooks';
