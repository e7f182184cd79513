package dev.herald.server.ratelimit;

import java.util.EnumSet;
import java.util.Set;

/**
 * What is rate-limited, each with its setting ({@code rate-limit-<key>}, where the defaults are) and the kinds of
 * key it may be limited per.
 */
public enum Action {
    SUBSCRIBE("subscribe", EnumSet.of(Per.ADDRESS, Per.USER)),
    TOKEN_MINT("token-mint", EnumSet.of(Per.KEY, Per.USER)),
    EVENTS("events", EnumSet.of(Per.ADDRESS, Per.USER)),
    SYNC("sync", EnumSet.of(Per.ADDRESS, Per.USER, Per.KEY)),
    SIGN_IN("sign-in", EnumSet.of(Per.ADDRESS)),
    PUSH_HELLO("push-hello", EnumSet.of(Per.ADDRESS)),
    PUSH_REGISTER("push-register", EnumSet.of(Per.AGENT, Per.ADDRESS)),
    PUSH_MESSAGES("push-messages", EnumSet.of(Per.ENDPOINT));

    private final String key;
    private final Set<Per> keys;

    Action(String key, Set<Per> keys) {
        this.key = key;
        this.keys = keys;
    }

    /** The setting's name: {@code rate-limit-} + this. */
    public String key() {
        return key;
    }

    public Set<Per> keys() {
        return keys;
    }
}
