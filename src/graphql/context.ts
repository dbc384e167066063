import type { Request, Response } from 'express';
import type { Caller } from '../domain/caller';
import type { Services } from '../app/services';
import type { Logger } from '../logger';

/** What every resolver gets: the request, who asks, and the services. */
export interface Context {
  req: Request;
  res: Response;
  requestId: string;
  caller: Caller | null;
  services: Services;
  log: Logger;
}
