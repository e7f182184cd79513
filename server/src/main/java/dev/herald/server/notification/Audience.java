package dev.herald.server.notification;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.common.Ids;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import java.util.List;
import java.util.Set;

/** Who a notification is for. Stored as the JSON the request gave, so fan-out can resume after a crash. */
public sealed interface Audience {
    int MAX_IDS = 10_000;

    record Users(List<String> userIds) implements Audience {}

    record Subscriptions(List<String> subscriptionIds) implements Audience {}

    record Everyone() implements Audience {}

    /** Parses {@code audience}: exactly one of userIds, subscriptionIds, topic or all. */
    static Audience parse(Fields audience) {
        audience.only(Set.of("userIds", "subscriptionIds", "topic", "all"));
        int given = 0;
        for (String k : List.of("userIds", "subscriptionIds", "topic", "all")) {
            given += audience.has(k) ? 1 : 0;
        }
        if (given != 1) {
            throw new ApiException(ErrorCode.INVALID_FIELD,
                    "audience needs exactly one of userIds, subscriptionIds, topic or all", "audience");
        }
        if (audience.has("userIds")) {
            List<String> ids = audience.textArray("userIds", MAX_IDS, 128);
            for (int i = 0; i < ids.size(); i++) {
                if (!UserTokens.USER_ID.matcher(ids.get(i)).matches()) {
                    throw audience.error("userIds", "[" + i + "] is not a valid user id");
                }
            }
            return new Users(ids);
        }
        if (audience.has("subscriptionIds")) {
            List<String> ids = audience.textArray("subscriptionIds", MAX_IDS, 26);
            for (int i = 0; i < ids.size(); i++) {
                if (!Ids.looksValid(ids.get(i))) {
                    throw audience.error("subscriptionIds", "[" + i + "] is not a subscription id");
                }
            }
            return new Subscriptions(ids);
        }
        if (audience.has("topic")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_AUDIENCE,
                    "topic audiences are not available yet; use userIds, subscriptionIds or all", "audience.topic");
        }
        if (!audience.bool("all", false)) {
            throw audience.error("all", "must be true");
        }
        return new Everyone();
    }

    default String toJson() {
        return Json.stringify(switch (this) {
            case Users u -> java.util.Map.of("userIds", u.userIds());
            case Subscriptions s -> java.util.Map.of("subscriptionIds", s.subscriptionIds());
            case Everyone e -> java.util.Map.of("all", true);
        });
    }

    static Audience fromJson(String json) {
        try {
            return parse(Fields.of((ObjectNode) Json.MAPPER.readTree(json)));
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("stored audience is not valid: " + json, e);
        }
    }
}
