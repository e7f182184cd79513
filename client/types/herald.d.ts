// Types of herald.js, Herald's page SDK: push subscription, preferences, an offline outbox and the change feed.
import type { FeedDocument, OutboxEntrySummary, ReplayResult, SyncConflict } from './herald-outbox.js';

export type { FeedDocument, OutboxEntrySummary, ReplayOutcome, ReplayReport, ReplayResult, SyncConflict } from './herald-outbox.js';

export interface InitOptions {
  /** Herald's URL (default: this page's origin). Another origin must be in Herald's cors-origins. */
  server?: string;
  /** A user token minted by your backend (claim sub = your user id); setUserToken() after a refresh. */
  userToken?: string | null;
  /** Your service worker, which loads Herald's (default '/sw.js'); false: none. */
  serviceWorker?: string | ServiceWorkerRegistration | false;
  /** Sync collections the service worker refreshes on a periodic sync. */
  feedCollections?: string[];
  /** How long a queued action may wait (default 7 days). */
  retentionMs?: number;
  /** Sends before a queued action is given up (default 10). */
  maxAttempts?: number;
  /** URLs the service worker fetches into its cache on a periodic sync. */
  warmUrls?: string[];
}

export interface Support {
  serviceWorker: boolean;
  push: boolean;
  notifications: boolean;
  permission: NotificationPermission | 'unsupported';
  sync: boolean;
  periodicSync: boolean;
  indexedDB: boolean;
}

export interface SubscribeOptions {
  topics?: string[];
  /** name → value; server-owned ('@…') tags are set by your backend with a manage key. */
  tags?: Record<string, string>;
  /** Default: navigator.language. */
  locale?: string;
  /** Default: navigator.userAgent. */
  userAgent?: string;
}

/** The server's record of this browser's push subscription. */
export interface Subscription {
  id: string;
  userId: string | null;
  endpoint: string;
  contentEncoding: string;
  expirationTime: string | null;
  topics: string[];
  tags: Record<string, string>;
  timezone: string | null;
  locale: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Category {
  id: string;
  label: string;
  description?: string | null;
  default: boolean;
  critical: boolean;
}

/** GET /api/v1/config. */
export interface HeraldConfig {
  vapidPublicKey: string;
  categories: Category[];
  features: Record<string, unknown>;
}

export interface QuietHours {
  /** "22:00" */
  start: string;
  /** "07:00" */
  end: string;
  timezone?: string | null;
}

export interface Preferences {
  categories: Record<string, boolean>;
  quietHours: QuietHours | null;
  timezone: string | null;
  maxPerDay: number | null;
  topics: string[];
}

/** Members to change; the others are kept. */
export type PreferenceChanges = Partial<{
  categories: Record<string, boolean>;
  quietHours: QuietHours | null;
  timezone: string | null;
  maxPerDay: number | null;
  topics: string[];
}>;

export interface OutboxRequest {
  /** Default POST. */
  method?: string;
  /** Relative to the page, or absolute; the user token is added only for Herald's own URL. */
  url: string;
  headers?: Record<string, string>;
  /** A plain object or array is sent as JSON; a string, ArrayBuffer, typed array or Blob as it is. */
  body?: unknown;
  /** Anything structured-cloneable, kept with the entry (for a "pending" UI) and in the events. */
  meta?: unknown;
}

export type SendResult =
  | { status: 'sent'; response: Response; body: unknown }
  | { status: 'queued'; entry: { id: string; seq: number; meta: unknown } }
  | { status: 'failed'; response: Response; body: unknown };

export interface QueuedEntry extends OutboxEntrySummary {
  lastStatus: number | null;
}

/** Who an outbox event is about: the request sent at once (request) or a queued one replayed (entry). */
export interface OutboxSubject {
  request?: { url: string; meta: unknown };
  entry?: OutboxEntrySummary;
}

export interface SentDetail extends OutboxSubject {
  status: number;
  body: unknown;
}

export interface FailedDetail extends OutboxSubject {
  /**
   * rejected: a 4xx that will never succeed (status, body with the problem); corrupt: cannot be sent as stored;
   * expired: older than retentionMs; attempts: maxAttempts reached.
   */
  reason: 'rejected' | 'corrupt' | 'expired' | 'attempts';
  status?: number;
  body?: unknown;
  detail?: string;
}

export interface ConflictDetail extends OutboxSubject {
  conflicts: SyncConflict[];
}

export interface HeraldEventMap {
  queued: CustomEvent<{ entry: { id: string; seq: number; url: string; meta: unknown } }>;
  sent: CustomEvent<SentDetail>;
  failed: CustomEvent<FailedDetail>;
  conflict: CustomEvent<ConflictDetail>;
  'subscription-changed': CustomEvent<{ subscribed?: boolean; subscriptionId?: string | null; status?: number }>;
  'feed-updated': CustomEvent<{ collection?: string; changes: number }>;
  push: CustomEvent<{ notificationId: string; title: string }>;
  replayed: CustomEvent<ReplayResult & { lastChance?: boolean }>;
}

export interface FeedRefresh {
  mode: 'periodic-sync' | 'on-open';
  permission: PermissionState | 'unsupported';
}

/** An error answer of Herald's API, with its problem+json. */
export declare class HeraldError extends Error {
  constructor(status: number, problem?: Problem | null);
  readonly status: number;
  readonly problem: Problem | null | undefined;
  /** The stable error code (problem.code), e.g. 'rate-limited'. */
  readonly code: string | undefined;
}

/** RFC 9457 problem details as Herald sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  field?: string;
  [member: string]: unknown;
}

export declare class Herald extends EventTarget {
  /** Opens the local store, registers the service worker and starts the outbox fallback where there is no SyncManager. */
  static init(options?: InitOptions): Promise<Herald>;
  private constructor(options: InitOptions);

  /** The outbox: actions that must reach the server exactly once, even when made offline. */
  readonly outbox: {
    /** Network first; on a network error, offline, or an answer worth retrying, into the outbox. */
    send(request: OutboxRequest): Promise<SendResult>;
    /** What is waiting, in queue order. */
    list(): Promise<QueuedEntry[]>;
    /** Replays now (otherwise: sync event, online, page load, visibility). */
    replay(): Promise<ReplayResult>;
  };
  readonly preferences: {
    get(): Promise<Preferences>;
    set(changes: PreferenceChanges): Promise<Preferences>;
  };
  readonly feed: {
    /** Pulls a collection's changes into IndexedDB. */
    pull(collection: string): Promise<{ changes: number; cursor: string }>;
    /** The collection's documents as stored locally. */
    all<T = unknown>(collection: string): Promise<Array<Pick<FeedDocument<T>, 'id' | 'version' | 'doc' | 'owner'>>>;
  };

  isSupported(): Support;
  setUserToken(token: string | null): Promise<void>;
  config(): Promise<HeraldConfig>;
  /** Asks for notification permission: call it from a click. */
  subscribe(options?: SubscribeOptions): Promise<Subscription>;
  unsubscribe(): Promise<void>;
  /** A click in the app's own list of shown notifications, reported like a click on the system notification. */
  notificationClicked(notificationId: string, action?: string): Promise<void>;
  subscribed(): Promise<boolean>;
  enableFeedRefresh(options?: { collections?: string[]; minInterval?: number }): Promise<FeedRefresh>;
  disableFeedRefresh(): Promise<void>;

  addEventListener<K extends keyof HeraldEventMap>(type: K, listener: (this: Herald, event: HeraldEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof HeraldEventMap>(type: K, listener: (this: Herald, event: HeraldEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}
