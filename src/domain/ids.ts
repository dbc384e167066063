/**
 * Ids by what they name: a wallet's id cannot be passed where a user's
 * belongs. They are strings on the wire and in the database.
 */
export type UserId = string & { readonly brand: unique symbol };
export type WalletId = string & { readonly brand: unique symbol };
export type HoldId = string & { readonly brand: unique symbol };
export type PaymentRequestId = string & { readonly brand: unique symbol };
