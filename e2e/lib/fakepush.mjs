// Chromium's real push subscriptions need FCM, which a test machine cannot reach. This replaces PushManager's
// subscribe/getSubscription in a page (before its scripts run) with a subscription whose endpoint is the test's
// push capture, so the SDK's own subscribe() path runs unchanged; the captured push is then handed to the service
// worker over the DevTools protocol (ServiceWorker.deliverPushMessage).
export async function fakePushManager(page, subscription) {
  await page.evaluateOnNewDocument((json) => {
    let current = null;
    const make = () => ({ endpoint: json.endpoint, expirationTime: null, options: { userVisibleOnly: true },
      toJSON: () => JSON.parse(JSON.stringify(json)), getKey: () => null,
      unsubscribe: async () => { current = null; return true; } });
    PushManager.prototype.subscribe = async function subscribe(options) {
      if (!options || !options.applicationServerKey) throw new DOMException('applicationServerKey is required', 'NotAllowedError');
      current = current || make();
      return current;
    };
    PushManager.prototype.getSubscription = async function getSubscription() { return current; };
  }, subscription);
}
