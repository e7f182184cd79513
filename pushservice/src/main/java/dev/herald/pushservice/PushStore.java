package dev.herald.pushservice;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the push service keeps user agents, their channels and undelivered messages. The host implements it on
 * its database (Herald: SQLite or PostgreSQL), so messages for offline browsers survive restarts. Implementations
 * must be thread-safe; times are epoch milliseconds.
 */
public interface PushStore {
    /** A channel (one push subscription) of a user agent; {@code keyHash} is set for VAPID-restricted channels. */
    record Channel(String uaid, String channelId, String keyHash, long createdAt) {}

    /** A message waiting for its user agent. {@code headers} are the ones the user agent needs to decrypt. */
    record Message(String id, String uaid, String channelId, String topic, String urgency, Map<String, String> headers,
            String data, long createdAt, long expiresAt) {}

    boolean userAgentExists(String uaid);

    void createUserAgent(String uaid, long now);

    /** Records a connection; the service uses it to forget user agents that never return. */
    void touchUserAgent(String uaid, long now);

    int channelCount(String uaid);

    /** Adds the channel, or keeps the existing one with the same ids (a repeated register is idempotent). */
    void addChannel(Channel channel);

    Optional<Channel> channel(String uaid, String channelId);

    /** Removes the channel and its undelivered messages; false when there was none. */
    boolean removeChannel(String uaid, String channelId);

    /** Undelivered, unexpired messages of the user agent, oldest first. */
    List<Message> pending(String uaid, long now);

    int pendingCount(String uaid, long now);

    /** How much a store may hold: per user agent (messages, bytes of {@code data}) and bytes in all. */
    record Room(int maxPending, long maxBytesPerAgent, long maxStoredBytes) {}

    /**
     * What {@link #store} did: stored; refused because the user agent's or the whole service's room is used up; or
     * refused because the channel is gone (removed since {@link #channel} answered, on this node or another).
     */
    enum Stored { STORED, AGENT_FULL, SERVICE_FULL, NO_CHANNEL }

    /**
     * Stores the message unless that would take its user agent past {@code room}'s messages or bytes, checked in the
     * same transaction as the insert so concurrent pushes cannot overshoot (on a shared database too), or the service
     * past its total bytes. When it has a topic, an undelivered message of the same channel and topic is replaced in
     * the same transaction (RFC 8030 section 5.4) and does not count.
     */
    Stored store(Message message, Room room);

    /**
     * Deletes a message of this user agent (an ack); false when it was not there. A store may delete later, in a batch
     * with other acks (and answer true): a message whose ack is lost in a crash is sent again, never lost.
     */
    boolean acknowledge(String uaid, String messageId);

    /** Deletes a message by id (the application server cancels it); false when it was not there. */
    boolean cancel(String messageId);

    /** Deletes expired messages; returns how many. */
    int deleteExpired(long now);

    /** Forgets user agents (with their channels and messages) last connected before {@code before}; returns how many. */
    int forgetUserAgents(long before);
}
