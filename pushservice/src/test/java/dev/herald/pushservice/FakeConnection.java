package dev.herald.pushservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket as the push service sees it, recording the frames it was sent and how it was closed. */
final class FakeConnection implements Connection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<JsonNode> sent = new ArrayList<>();
    private final String address;
    private int closeCode;
    private String closeReason;

    FakeConnection(String address) {
        this.address = address;
    }

    @Override
    public synchronized void send(String text) {
        try {
            sent.add(JSON.readTree(text));
        } catch (java.io.IOException e) {
            throw new AssertionError("the push service sent something that is not JSON: " + text, e);
        }
    }

    @Override
    public synchronized void close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }

    @Override
    public String clientAddress() {
        return address;
    }

    /** The frames sent since the last call. */
    synchronized List<JsonNode> take() {
        List<JsonNode> out = List.copyOf(sent);
        sent.clear();
        return out;
    }

    /** The oldest frame not taken yet. */
    synchronized JsonNode next() {
        if (sent.isEmpty()) {
            throw new AssertionError("no frame was sent");
        }
        return sent.remove(0);
    }

    /** The one frame sent since the last call. */
    JsonNode one() {
        List<JsonNode> frames = take();
        if (frames.size() != 1) {
            throw new AssertionError("expected one frame, got " + frames);
        }
        return frames.get(0);
    }

    synchronized int closeCode() {
        return closeCode;
    }

    synchronized String closeReason() {
        return closeReason;
    }
}
