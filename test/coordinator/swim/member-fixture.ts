import type { Member } from '../../../coordinator/swim/membership.js';

/** A member record; an alive record's tags are of its incarnation. */
export const memberOf = (name: string, o: Partial<Member> = {}): Member => ({
  name,
  bootId: 'a-x',
  addr: `${name}:7946`,
  incarnation: 1,
  state: 'alive',
  tags: {},
  tagsIncarnation: o.incarnation ?? 1,
  stateSinceMs: 0,
  ...o,
});
