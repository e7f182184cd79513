package dev.herald.pushservice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PushStore} in memory, for testing the protocol without a database: the same contract as Herald's store
 * (room checked with the insert, a topic replaces the undelivered message of its channel, removing a channel or
 * forgetting a user agent takes its messages). One lock around everything, which a test never notices.
 */
final class InMemoryPushStore implements PushStore {
    private final Map<String, Long> connectedAt = new LinkedHashMap<>();
    private final Map<String, Channel> channels = new LinkedHashMap<>(); // uaid/channelId
    private final Map<String, Message> messages = new LinkedHashMap<>(); // id, in arrival order

    private static String key(String uaid, String channelId) {
        return uaid + "/" + channelId;
    }

    @Override
    public synchronized boolean userAgentExists(String uaid) {
        return connectedAt.containsKey(uaid);
    }

    @Override
    public synchronized void createUserAgent(String uaid, long now) {
        connectedAt.put(uaid, now);
    }

    @Override
    public synchronized void touchUserAgent(String uaid, long now) {
        connectedAt.computeIfPresent(uaid, (k, v) -> now);
    }

    @Override
    public synchronized int channelCount(String uaid) {
        return (int) channels.values().stream().filter(c -> c.uaid().equals(uaid)).count();
    }

    @Override
    public synchronized void addChannel(Channel channel) {
        channels.merge(key(channel.uaid(), channel.channelId()), channel,
                (old, fresh) -> new Channel(old.uaid(), old.channelId(), fresh.keyHash(), old.createdAt()));
    }

    @Override
    public synchronized Optional<Channel> channel(String uaid, String channelId) {
        return Optional.ofNullable(channels.get(key(uaid, channelId)));
    }

    @Override
    public synchronized boolean removeChannel(String uaid, String channelId) {
        messages.values().removeIf(m -> m.uaid().equals(uaid) && m.channelId().equals(channelId));
        return channels.remove(key(uaid, channelId)) != null;
    }

    @Override
    public synchronized List<Message> pending(String uaid, long now) {
        return messages.values().stream().filter(m -> m.uaid().equals(uaid) && m.expiresAt() > now).toList();
    }

    @Override
    public synchronized int pendingCount(String uaid, long now) {
        return pending(uaid, now).size();
    }

    @Override
    public synchronized Stored store(Message message, Room room) {
        if (!channels.containsKey(key(message.uaid(), message.channelId()))) {
            return Stored.NO_CHANNEL;
        }
        List<Message> replaced = message.topic() == null ? List.of() : messages.values().stream()
                .filter(m -> m.uaid().equals(message.uaid()) && m.channelId().equals(message.channelId())
                        && message.topic().equals(m.topic())).toList();
        List<Message> held = new ArrayList<>(pending(message.uaid(), message.createdAt()));
        held.removeAll(replaced);
        long bytes = held.stream().mapToLong(m -> bytes(m)).sum();
        if (held.size() >= room.maxPending() || bytes + bytes(message) > room.maxBytesPerAgent()) {
            return Stored.AGENT_FULL;
        }
        long total = messages.values().stream().filter(m -> !replaced.contains(m)).mapToLong(InMemoryPushStore::bytes).sum();
        if (bytes(message) > 0 && total + bytes(message) > room.maxStoredBytes()) {
            return Stored.SERVICE_FULL;
        }
        replaced.forEach(m -> messages.remove(m.id()));
        messages.put(message.id(), message);
        return Stored.STORED;
    }

    private static long bytes(Message m) {
        return m.data() == null ? 0 : m.data().length();
    }

    @Override
    public synchronized boolean acknowledge(String uaid, String messageId) {
        Message m = messages.get(messageId);
        return m != null && m.uaid().equals(uaid) && messages.remove(messageId) != null;
    }

    @Override
    public synchronized boolean cancel(String messageId) {
        return messages.remove(messageId) != null;
    }

    @Override
    public synchronized int deleteExpired(long now) {
        int before = messages.size();
        messages.values().removeIf(m -> m.expiresAt() <= now);
        return before - messages.size();
    }

    @Override
    public synchronized int forgetUserAgents(long before) {
        List<String> gone = connectedAt.entrySet().stream().filter(e -> e.getValue() < before).map(Map.Entry::getKey).toList();
        for (String uaid : gone) {
            connectedAt.remove(uaid);
            channels.values().removeIf(c -> c.uaid().equals(uaid));
            messages.values().removeIf(m -> m.uaid().equals(uaid));
        }
        return gone.size();
    }

    /** Undelivered messages held, for assertions. */
    synchronized int size() {
        return messages.size();
    }
}
