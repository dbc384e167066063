/**
 * GET /wallets/:id/statement.csv?from=…&to=…: a period's statement as a file
 * for a spreadsheet. The same session, ownership and period rules as
 * Wallet.statement; refusals answer as JSON in GraphQL's error shape, with
 * the status their code means (401, 403, 404, 400, 429).
 */
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import type { Services } from '../app/services';
import { DomainError, INTERNAL_MESSAGE, httpStatusOf } from '../domain/errors';
import { signInFirst } from '../domain/caller';
import { callerOf } from './session-caller';
import { walletStatementCsv, type statementCsv } from '../app/statement-csv';
import { INSTANT_FORMAT, period, readInstant } from '../domain/period';

/** A query parameter that is one instant (a repeated or missing one is refused). */
function instantParameter(req: Request, name: 'from' | 'to'): number {
  const raw = req.query[name];
  if (typeof raw !== 'string') {
    throw new DomainError('BAD_USER_INPUT', `"${name}" must be one instant: ${INSTANT_FORMAT}.`, {
      field: name,
    });
  }
  const read = readInstant(raw);
  if ('problem' in read) {
    throw new DomainError('BAD_USER_INPUT', `"${name}": ${read.problem}.`, { field: name });
  }
  return read.ms;
}

function refuse(res: Response, error: DomainError): void {
  if (error.details.retryAfterSeconds !== undefined) {
    res.setHeader('retry-after', String(error.details.retryAfterSeconds));
  }
  res.status(httpStatusOf(error.code)).json({
    errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }],
  });
}

export function statementCsvRoute(services: Services): RequestHandler {
  const { log } = services;
  return async (req, res) => {
    let download: ReturnType<typeof statementCsv>;
    let walletId: string;
    try {
      // The contract's precedence: who, how often, the input's shape, then the wallet and its owner.
      const caller = callerOf(req);
      if (caller === null) throw signInFirst();
      await services.statementDownloadLimiter.hit(caller.userId, 'Too many statement downloads.');
      const range = period(instantParameter(req, 'from'), instantParameter(req, 'to'));
      ({ walletId, download } = await walletStatementCsv(
        services,
        caller,
        String(req.params.id),
        range,
      ));
      const name = `statement-${walletId}-${new Date(range.fromMs).toISOString().slice(0, 10)}.csv`;
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
      res.setHeader('content-disposition', `attachment; filename="${name}"`);
      res.setHeader('cache-control', 'no-store');
    } catch (error) {
      if (error instanceof DomainError) {
        refuse(res, error);
        return;
      }
      log.error({ err: error, path: req.path }, 'statement download failed');
      res.status(500).json({
        errors: [{ message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      return;
    }
    try {
      await pipeline(download.rows, download.csv, res);
    } catch (error) {
      // The headers are sent, so the connection is cut: the client sees a file that did not end.
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        log.error({ err: error, walletId }, 'statement download failed part way');
      }
    }
  };
}
