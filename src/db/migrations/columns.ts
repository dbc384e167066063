/** Column definitions the migrations share, as each dialect writes them. */

/** The integer key inside a table; SQLite's AUTOINCREMENT never reuses a key. */
export function seqColumn(postgres: boolean, table: string): string {
  return postgres
    ? `"seq" BIGSERIAL NOT NULL, CONSTRAINT "pk_${table}" PRIMARY KEY ("seq")`
    : '"seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL';
}
