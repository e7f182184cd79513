// The console's shell: sign-in, sign-out and a hash router (#/page/param) over one module per page.
import * as api from '/admin/api.js';
import { toast } from '/admin/ui.js';
import overview from '/admin/overview.js';
import compose from '/admin/compose.js';
import { list as notifications, detail as notification } from '/admin/notifications.js';
import { list as devices, detail as device } from '/admin/devices.js';
import sync from '/admin/sync.js';
import keys from '/admin/keys.js';

const pages = { overview, compose, notifications, notification, devices, device, sync, keys };
const signin = document.getElementById('signin');
const nav = document.getElementById('nav');
const signout = document.getElementById('signout');
const view = document.getElementById('view');
let signedIn = false;
let cleanup = null;

function showSignIn() {
  signedIn = false;
  nav.hidden = true;
  signout.hidden = true;
  view.replaceChildren();
  signin.hidden = false;
  document.title = 'Sign in · Herald console';
  document.getElementById('apikey').focus();
}

async function route() {
  if (!signedIn) return;
  if (cleanup) cleanup();
  cleanup = null;
  const [name, param] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = pages[name] || overview;
  for (const a of nav.querySelectorAll('a')) {
    const current = a.getAttribute('href') === `#/${name}` || (name === 'notification' && a.hash === '#/notifications')
      || (name === 'device' && a.hash === '#/devices') || (!pages[name] && a.hash === '#/overview');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Focus moves to the new page at once (keyboard and screen-reader users land on it), not after its data
  // arrives, which would pull focus out of a field the operator is already typing in.
  document.getElementById('main').focus({ preventScroll: true });
  try {
    cleanup = (await page(param)) || null;
  } catch (e) {
    if (e.status !== 401) toast(e.message);
  }
}

function enter() {
  signedIn = true;
  signin.hidden = true;
  nav.hidden = false;
  signout.hidden = false;
  route();
}

signin.addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = document.getElementById('signin-error');
  const input = document.getElementById('apikey');
  error.textContent = '';
  try {
    await api.signIn(input.value.trim());
    input.value = '';
    enter();
  } catch (err) {
    error.textContent = err.status === 403 ? 'This key lacks the admin scope.' : err.message;
  }
});

signout.addEventListener('click', async () => {
  await api.signOut().catch(() => {});
  showSignIn();
});

api.onSignedOut(() => {
  showSignIn();
  document.getElementById('signin-error').textContent = 'Your session ended; sign in again.';
});
window.addEventListener('hashchange', route);

if (await api.resume()) enter();
else showSignIn();
