// Keys and settings: create (the secret shown once) and revoke API keys; effective settings; the VAPID public key.
import { get, post, del } from '/admin/api.js';
import { h, mount, title, table, field, when, badge, busy, toast } from '/admin/ui.js';

export default async function keys() {
  const holder = h('div');
  const created = h('div#created', { 'aria-live': 'polite' });
  const error = h('p.error', { role: 'alert' });
  const scopes = ['send', 'manage', 'admin'].map((s) => h('label.check', {},
    h('input', { type: 'checkbox', name: 'scope', value: s, checked: s === 'send' }), ` ${s}`));
  const form = h('form.card#new-key', {}, h('h2', {}, 'New API key'),
    field('Name', h('input#key-name', { name: 'name', required: true, maxlength: 100, placeholder: 'backend' })),
    h('fieldset.inline', {}, h('legend', {}, 'Scopes'), scopes), error, h('div.actions', {}, h('button', { type: 'submit' }, 'Create key')), created);
  const settingsBox = h('div');
  mount(title('Keys & settings'), form, h('section.card', {}, h('h2', {}, 'API keys'), holder),
    h('section.card', {}, h('h2', {}, 'Settings'), settingsBox));

  async function drawKeys() {
    const r = await get('/keys');
    holder.replaceChildren(table('API keys', ['Name', 'Scopes', 'Created', 'State', ''], r.items.map((k) => {
      const revoke = h('button.danger.small', { type: 'button', 'aria-label': `Revoke ${k.name}`, 'data-key': k.id }, 'Revoke');
      revoke.addEventListener('click', () => busy(revoke, null, async () => {
        if (!confirm(`Revoke “${k.name}”? Anything using it stops working at once.`)) return;
        await del(`/keys/${k.id}`);
        toast(`Revoked ${k.name}`);
        await drawKeys();
      }));
      return [k.name, k.scopes.join(', '), when(k.createdAt), k.revokedAt ? badge('revoked', 'failed') : badge('live', 'sent'),
        k.revokedAt ? when(k.revokedAt) : revoke];
    })));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(form.querySelector('button[type=submit]'), error, async () => {
      const chosen = scopes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const k = await post('/keys', { name: document.getElementById('key-name').value.trim(), scopes: chosen });
      const secret = h('input#new-key-secret', { readonly: true, value: k.key, 'aria-label': 'The new key' });
      created.replaceChildren(h('div.alert.info', {}, h('p', {}, h('strong', {}, `Key “${k.name}” created. `),
        'Copy it now: it is shown only this once.'), secret));
      secret.select();
      await drawKeys();
    });
  });

  const s = await get('/settings');
  settingsBox.replaceChildren(
    field('VAPID public key', h('input#vapid', { readonly: true, value: s.vapidPublicKey })),
    table('Effective settings (secrets redacted)', ['Setting', 'Value'],
      Object.entries(s.settings).map(([k, v]) => [k, h('code.wrap', {}, typeof v === 'string' ? v : JSON.stringify(v))])));
  await drawKeys();
}
