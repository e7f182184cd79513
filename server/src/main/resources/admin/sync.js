// Sync: each collection with its document counts, the latest changes and the latest refused mutations.
import { get } from '/admin/api.js';
import { h, mount, title, table, when } from '/admin/ui.js';

export default async function sync() {
  const s = await get('/sync');
  mount(title('Sync'),
    h('section.card', {}, h('h2', {}, 'Collections'),
      table('Sync collections', ['Collection', 'Kind', 'Documents', 'Tombstones', 'Partitions', 'Last change'],
        s.collections.map((c) => [c.name, `${c.shared === false ? 'private' : 'shared'}${c.notifies ? ', notifies' : ''}`, c.documents,
          c.tombstones, c.partitions, when(c.lastChangeAt)]), 'No collections configured.')),
    h('section.card', {}, h('h2', {}, 'Recent changes'),
      table('Latest changed documents', ['Document', 'Collection', 'Owner', 'Version', 'Change', 'At'],
        s.recent.map((r) => [h('code', {}, r.id), r.collection, r.owner || 'shared', r.version, r.deleted ? 'deleted' : 'upsert', when(r.at)]),
        'No documents yet.')),
    h('section.card', {}, h('h2', {}, 'Refused mutations'),
      table('Latest conflicts and forbidden changes', ['Document', 'Collection', 'Owner', 'User', 'Answer', 'At'],
        s.conflicts.map((c) => [h('code', {}, c.id), c.collection, c.owner || 'shared', c.user || 'API key', c.status, when(c.at)]),
        'No conflicts yet.')),
    h('p.muted.small', {}, 'The latest 100 refused mutations of each collection are kept; a conflict means the client edited a stale version.'));
}
