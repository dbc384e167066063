/**
 * Preloaded into a server by round-trips.ts (`node --require`): counts the
 * calls node-postgres sends on behalf of HTTP requests, each one round trip
 * to the database (a multi-statement text goes out as one), and prints the
 * count on SIGUSR2. The background workers' statements (webhook deliveries,
 * expiry sweeps) run outside any request and are not counted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import pg from 'pg';

const inRequest = new AsyncLocalStorage<true>();
type Emit = (this: http.Server, event: string, ...args: unknown[]) => boolean;
const emit = http.Server.prototype.emit as Emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event !== 'request') return emit.call(this, event, ...args);
  return inRequest.run(true, () => emit.call(this, event, ...args));
} as typeof http.Server.prototype.emit;

let roundTrips = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (inRequest.getStore()) roundTrips++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

process.on('SIGUSR2', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'round trips', roundTrips })}\n`);
});
