/*
 * Herald for a service worker built as an ES module (a bundler's input, or a module service worker):
 *
 *     import 'herald-client/worker';
 *
 * The same handlers as herald-sw.js, with the outbox core in front of it. A classic service worker (no bundler)
 * loads the two files itself: importScripts('herald-outbox.js', 'herald-sw.js'), in that order.
 */
import './herald-outbox.js';
import './herald-sw.js';
