// Devices: search by user, push service, topic or tag, and one device's timeline.
import { get, del } from '/admin/api.js';
import { h, mount, title, table, field, when, badge, busy, toast } from '/admin/ui.js';

const FILTERS = [['user', 'User id', 'ann'], ['pushService', 'Push service origin', 'https://fcm.googleapis.com'],
  ['topic', 'Topic', 'news'], ['tag', 'Tag', 'plan=pro']];

export async function list() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const inputs = FILTERS.map(([k, label, ph]) => field(label, h(`input#f-${k}`, { name: k, placeholder: ph, value: params.get(k) || '' })));
  const form = h('form.card.filters#device-search', { role: 'search' }, h('div.row', {}, inputs),
    h('div.actions', {}, h('button', { type: 'submit' }, 'Search')));
  const holder = h('div');
  const more = h('button.secondary', { type: 'button', hidden: true }, 'More');
  mount(title('Devices'), form, holder, more);
  let after = null;
  let rows = [];

  function query() {
    const q = new URLSearchParams();
    for (const [k] of FILTERS) {
      const v = document.getElementById(`f-${k}`).value.trim();
      if (v) q.set(k, v);
    }
    if (after) q.set('after', after);
    return q;
  }

  async function page() {
    const r = await get(`/devices?${query()}`);
    rows = rows.concat(r.items.map((d) => [h('a', { href: `#/device/${d.id}` }, d.userId || '(anonymous)'), d.pushService, d.browser,
      when(d.createdAt), h('code.small', {}, d.id)]));
    holder.replaceChildren(table('Devices', ['User', 'Push service', 'Browser', 'Subscribed', 'Id'], rows, 'No devices match.'));
    after = r.next;
    more.hidden = !after;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    after = null;
    rows = [];
    busy(form.querySelector('button'), null, page);
  });
  more.addEventListener('click', () => busy(more, null, page));
  await page();
}

const KIND = { subscribed: 'Subscribed', delivery: 'Delivery', received: 'Received', shown: 'Shown', clicked: 'Clicked',
  closed: 'Closed', action: 'Action', replay: 'Outbox replay' };

export async function detail(id) {
  const d = await get(`/devices/${encodeURIComponent(id)}`);
  const remove = h('button.danger#remove-device', { type: 'button' }, 'Remove device');
  remove.addEventListener('click', () => busy(remove, null, async () => {
    if (!confirm('Remove this device? Its browser gets no more pushes until it subscribes again.')) return;
    await del(`/devices/${encodeURIComponent(id)}`);
    toast('Device removed');
    location.hash = '#/devices';
  }));
  const timeline = h('ol.timeline#timeline', { 'aria-label': 'Timeline, newest first' }, d.timeline.map((e) => h(`li.t-${e.kind}`, {},
    when(e.at), ' ', h('strong', {}, KIND[e.kind] || e.kind),
    e.kind === 'delivery' ? [' ', badge(e.state), e.status ? ` push service ${e.status}` : '', e.attempts > 1 ? ` after ${e.attempts} attempts` : '',
      e.error ? h('span.error', {}, ` ${e.error}`) : ''] : '',
    e.kind === 'replay' ? [' ', badge(e.outcome), ` attempt ${e.attempt}`, e.status ? ` server ${e.status}` : '',
      e.method || e.path ? h('code.small', {}, ` ${e.method || ''} ${e.path || ''}`) : '', h('small.muted', {}, ` ${e.mutationId}`)] : '',
    e.action ? ` “${e.action}”` : '',
    e.notificationId ? [' ', h('a', { href: `#/notification/${e.notificationId}` }, 'notification')] : '')));
  mount(title('Device'),
    h('section.card', {}, h('dl.facts', {},
      h('dt', {}, 'User'), h('dd', {}, d.userId || '(anonymous)'),
      h('dt', {}, 'Push service'), h('dd', {}, `${d.pushService} (${d.origin})`),
      h('dt', {}, 'Browser'), h('dd', {}, d.browser, d.userAgent ? h('small.muted', {}, ` ${d.userAgent}`) : ''),
      h('dt', {}, 'Endpoint'), h('dd', {}, h('code.wrap', {}, d.endpoint)),
      h('dt', {}, 'Topics'), h('dd', {}, d.topics.length ? d.topics.join(', ') : '—'),
      h('dt', {}, 'Tags'), h('dd', {}, Object.entries(d.tags).map(([k, v]) => `${k}=${v}`).join(', ') || '—'),
      h('dt', {}, 'Time zone / locale'), h('dd', {}, `${d.timezone || '—'} / ${d.locale || '—'}`),
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, d.id))), h('div.actions', {}, remove)),
    h('section.card', {}, h('h2', {}, 'Timeline'), timeline));
}
