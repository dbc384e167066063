/** The GraphQL object types of the contract, one file per topic. */
export * from './enums';
export * from './account';
export * from './operation';
export * from './hold';
export * from './payment-request';
export * from './webhook';
export * from './transfer';
export * from './pages';
export * from './statement';
export * from './payloads';
