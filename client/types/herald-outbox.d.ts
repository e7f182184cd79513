// Types of herald-outbox.js: the IndexedDB core shared by the page (herald.js) and the service worker (herald-sw.js).
// Loading the script defines globalThis.HeraldOutbox; most apps never call it directly.

/** An action waiting in the outbox, as list() and the events describe it. */
export interface OutboxEntrySummary {
  id: string;
  seq: number;
  method: string;
  url: string;
  /** What the app attached when it queued the action (for a "pending" UI). */
  meta: unknown;
  attempts: number;
  queuedAt: number;
}

/** An action as stored in IndexedDB. */
export interface OutboxEntry extends OutboxEntrySummary {
  idempotencyKey: string;
  headers: Record<string, string>;
  body: ArrayBuffer | null;
  lastStatus: number | null;
  lastError: string | null;
}

/** What one replay of the outbox did. */
export interface ReplayResult {
  sent: number;
  failed: number;
  /** Actions still queued. */
  remaining: number;
  /** Something is left that may succeed later (a network error or an answer worth retrying stopped the replay). */
  retry: boolean;
  /** Another tab or the service worker was replaying (one replay at a time, by a lease in IndexedDB). */
  skipped: boolean;
}

/** What became of one attempt, as reported to the server for the device's timeline in the console. */
export type ReplayOutcome = 'sent' | 'conflict' | 'rejected' | 'retry' | 'network-error' | 'expired' | 'gave-up' | 'corrupt';

export interface ReplayReport {
  mutationId: string;
  attempt: number;
  outcome: ReplayOutcome;
  status?: number;
  method?: string;
  path?: string;
  /** RFC 3339. */
  at: string;
}

/** A sync mutation the server refused inside a 2xx answer. */
export interface SyncConflict {
  id: string;
  /** conflict: the baseVersion was stale; forbidden: a shared collection's document another user owns. */
  status: 'conflict' | 'forbidden';
  version?: number;
  doc?: unknown;
  owner?: string | null;
  [member: string]: unknown;
}

export type ResponseKind = 'sent' | 'retry' | 'failed';

export interface Settled {
  kind: ResponseKind;
  status: number;
  body: unknown;
  conflicts: SyncConflict[];
}

export interface ReplayOptions {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  authorize?: (url: string) => Promise<Record<string, string> | undefined> | Record<string, string> | undefined;
  emit?: (type: string, detail: unknown) => void;
  now?: () => number;
  owner?: string;
  retentionMs?: number;
  maxAttempts?: number;
  lockMs?: number;
  /** Herald's URL: each attempt's outcome is reported there for this device. */
  server?: string;
}

export interface FeedDocument<T = unknown> {
  collection: string;
  id: string;
  version: number;
  doc: T;
  owner: string | null;
}

export interface HeraldOutboxApi {
  readonly DEFAULTS: Readonly<{ retentionMs: number; maxAttempts: number; lockMs: number }>;
  /** The Background Sync tag of the outbox replay. */
  readonly SYNC_TAG: 'herald-outbox';
  /** The Periodic Background Sync tag of the feed refresh. */
  readonly FEED_TAG: 'herald-feed';
  openDb(name?: string): Promise<IDBDatabase>;
  enqueue(db: IDBDatabase, request: { method?: string; url: string; headers?: HeadersInit; body?: unknown },
    options?: { now?: () => number; idempotencyKey?: string; meta?: unknown }): Promise<OutboxEntry>;
  list(db: IDBDatabase): Promise<OutboxEntry[]>;
  remove(db: IDBDatabase, seq: number): Promise<void>;
  replay(db: IDBDatabase, options: ReplayOptions): Promise<ReplayResult>;
  flushReports(db: IDBDatabase, options: Pick<ReplayOptions, 'fetch' | 'server' | 'authorize' | 'now'>): Promise<number>;
  classify(status: number): ResponseKind;
  settle(response: Response): Promise<Settled>;
  readBody(response: Response): Promise<unknown>;
  isJsonBody(body: unknown): boolean;
  /** Why an entry cannot be sent as stored, or null. */
  validate(entry: unknown): string | null;
  kvGet<T = unknown>(db: IDBDatabase, key: string): Promise<T | undefined>;
  kvSet(db: IDBDatabase, key: string, value: unknown): Promise<void>;
  feedAll<T = unknown>(db: IDBDatabase, collection: string): Promise<FeedDocument<T>[]>;
  pullFeed(db: IDBDatabase, options: { fetch: (url: string, init: RequestInit) => Promise<Response>; server: string;
    collection: string; authorize?: ReplayOptions['authorize'] }): Promise<{ changes: number; cursor: string }>;
  uuid(): string;
  base64UrlToBytes(s: string): Uint8Array;
  serverUrl(server: string | undefined | null, origin: string): string;
  authorization(server: string, token: string | null | undefined, url: string, base: string): { authorization?: string };
  subscribeOptions(options?: { topics?: string[]; tags?: Record<string, string>; locale?: string; userAgent?: string },
    nav?: { language?: string; userAgent?: string }): { topics: string[] | null; tags: Record<string, string> | null;
    locale: string | null; userAgent: string | null };
  subscriptionBody(subscription: PushSubscription | PushSubscriptionJSON, stored?: object): {
    subscription: PushSubscriptionJSON; timezone: string; topics?: string[]; tags?: Record<string, string>; locale?: string;
    userAgent?: string };
}

declare global {
  // eslint-disable-next-line no-var
  var HeraldOutbox: HeraldOutboxApi;
}
