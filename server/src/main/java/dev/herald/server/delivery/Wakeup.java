package dev.herald.server.delivery;

/** Lets a loop sleep until there may be work, or a poll interval passes (work can also come from other nodes). */
final class Wakeup {
    private boolean signalled;

    synchronized void signal() {
        signalled = true;
        notifyAll();
    }

    /** Waits up to {@code millis} unless signalled since the last wait; clears the signal. */
    synchronized void await(long millis) throws InterruptedException {
        if (!signalled) {
            wait(millis);
        }
        signalled = false;
    }
}
