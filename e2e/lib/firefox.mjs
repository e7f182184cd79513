// Debian's firefox-esr, headless, driven over WebDriver BiDi by puppeteer-core, with Herald's embedded push service
// as its push server (dom.push.serverURL) instead of Mozilla's.
import puppeteer from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

export function firefoxPrefs(heraldUrl) {
  return {
    'dom.push.serverURL': `${heraldUrl.replace(/^http/, 'ws')}/wpush/connect`,
    'dom.push.testing.allowInsecureServerURL': true,
    'dom.push.enabled': true,
    'dom.push.connection.enabled': true,
    'dom.serviceWorkers.enabled': true,
    'permissions.default.desktop-notification': 1, // notifications allowed, as if the user had said yes
    'dom.webnotifications.requireuserinteraction': false,
    // Headless Firefox has no system notification service (showNotification fails with NS_ERROR_FAILURE);
    // its own alert implementation works headless.
    'alerts.useSystemBackend': false,
  };
}

/** {@code profile}: a directory kept across launches, so the browser's push registration (uaid) survives a restart. */
export function launchFirefox(heraldUrl, profile) {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: firefoxPrefs(heraldUrl),
  });
}
