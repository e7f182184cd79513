package dev.herald.server.config;

/** Bad configuration: start-up stops and the message tells the operator what to change. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
