package dev.herald.pushservice;

/** One user agent's WebSocket, as the host's server exposes it. Implementations must allow calls from any thread. */
public interface Connection {
    /** Sends a text frame; a closed connection ignores it. */
    void send(String text);

    /** Closes with a WebSocket close code and a short reason. */
    void close(int code, String reason);

    /** The client's address as the host determined it (behind trusted proxies: the real client), for rate limits. */
    default String clientAddress() {
        return "";
    }
}
