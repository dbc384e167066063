/**
 * The events a service account (its own: of its references and holds) or
 * an admin (all) reads, oldest first, in pages a reader never misses or
 * repeats one of.
 */
import { eventsPage, findEvent } from '../db/queries';
import type { Caller } from '../domain/caller';
import type { EventType } from '../domain/event-types';
import {
  encodeEventCursor,
  eventPageRequest,
  filterKey,
  lists,
  toPage,
  type Page,
} from '../domain/pages';
import type { EventRow } from '../domain/records';
import type { Services } from './services';

/** The event types asked for, as the list's name needs them: sorted and hashed short. */
function typesHash(types: readonly EventType[] | null): string {
  return filterKey([types === null ? null : [...types].sort().join(',')]);
}

export async function listEvents(
  services: Services,
  caller: Caller,
  types: readonly EventType[] | null,
  first: number,
  after: string | null,
): Promise<Page<EventRow>> {
  const ownerUserId = caller.role === 'ADMIN' ? null : caller.userId;
  const wanted = types === null || types.length === 0 ? null : types;
  const page = eventPageRequest(first, after, lists.events(ownerUserId, typesHash(wanted)));
  const rows = await services.db.read((sql) =>
    eventsPage(sql, { ownerUserId, types: wanted }, page),
  );
  return toPage(
    rows,
    page,
    (row) => row,
    (row) => encodeEventCursor(page.list, row),
    // Where the next page starts, also when this one is empty: the reader keeps its place.
    after,
  );
}

/** An event by id, for what was already shown to the caller (a delivery's). */
export function eventById(services: Services, id: string): Promise<EventRow | null> {
  return services.db.read((sql) => findEvent(sql, id));
}
