/**
 * Object types are plain data, so each is declared with simpleResolvers:
 * graphql reads a property straight off the object instead of through
 * type-graphql's per-field wrapper (a closure call and an allocation for
 * each field of each answer). That also skips middlewares and auth rules on
 * those properties, and none has any; field resolvers, such as
 * Wallet.operations, keep theirs.
 */
export const SIMPLE = { simpleResolvers: true } as const;
