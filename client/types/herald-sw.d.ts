// Types of herald-sw.js (and herald-worker.js): Herald's service-worker handlers. Loading the script adds the push,
// notificationclick/close, pushsubscriptionchange, sync, periodicsync and message listeners, and defines
// self.HeraldSW.
import type { HeraldOutboxApi, ReplayResult } from './herald-outbox.js';

export type { HeraldOutboxApi, ReplayResult };

export interface HeraldSWOptions {
  /** URLs fetched into warmCache on each periodic sync (besides those the page configured). */
  warmUrls?: string[];
  /** The Cache Storage name for warmUrls (default 'herald-warm'). */
  warmCache?: string;
  /** The sync collections whose change feed a periodic sync pulls into IndexedDB (default: what the page set). */
  feedCollections?: string[] | null;
}

export interface HeraldSWApi {
  /** Changes the options given; the others are kept. */
  configure(options: HeraldSWOptions): void;
  /** Replays the outbox now. */
  replay(): Promise<ReplayResult>;
  /** Pulls the configured feeds and warms the cache now; resolves the number of changes. */
  refreshFeed(): Promise<number>;
  readonly SYNC_TAG: 'herald-outbox';
  readonly FEED_TAG: 'herald-feed';
}

declare global {
  // eslint-disable-next-line no-var
  var HeraldSW: HeraldSWApi;
  // eslint-disable-next-line no-var
  var HeraldOutbox: HeraldOutboxApi;
  /** self.HeraldSW in a service worker typed as ServiceWorkerGlobalScope. */
  interface WorkerGlobalScope {
    readonly HeraldSW: HeraldSWApi;
    readonly HeraldOutbox: HeraldOutboxApi;
  }
}
