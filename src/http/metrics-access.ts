/** Who may read /metrics: a bearer of METRICS_TOKEN, or without one, this machine only. */
import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { RequestHandler, Response } from 'express';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** IPv4 loopback, ::1, and IPv4 loopback as an IPv6 socket reports it. */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  return address === '::1';
}

/** The service's JSON refusal shape, as GraphQL and the CSV route answer. */
function refuse(res: Response, code: string, message: string): void {
  res.json({ errors: [{ message, extensions: { code } }] });
}

export function metricsAccess(token: string | null): RequestHandler {
  const expected = token === null ? null : digest(`Bearer ${token}`);
  return (req, res, next) => {
    if (expected !== null) {
      // Digests of equal length, compared in constant time: the header's length reveals nothing.
      const given = digest(req.get('authorization') ?? '');
      if (timingSafeEqual(given, expected)) return next();
      refuse(
        res.status(401).set('www-authenticate', 'Bearer'),
        'UNAUTHENTICATED',
        'Metrics need the bearer token set in METRICS_TOKEN.',
      );
      return;
    }
    // Without a token: the socket must be this machine's and the request not
    // forwarded, or a reverse proxy on this machine would open it to everyone.
    const forwarded =
      req.get('x-forwarded-for') !== undefined || req.get('forwarded') !== undefined;
    if (isLoopback(req.socket.remoteAddress) && !forwarded) return next();
    refuse(
      res.status(403),
      'FORBIDDEN',
      'Metrics are served to this machine only, unless METRICS_TOKEN is set.',
    );
  };
}
