package dev.herald.server.template;

/**
 * A template text that cannot be compiled: bad tag syntax, an unclosed or mismatched section, a bad variable name,
 * or a feature Herald refuses (partials, inheritance). {@code field} is where the text was in a
 * {@link ContentTemplate} ({@code title}, {@code actions[0].title}); null for a lone {@link TextTemplate}.
 */
public final class TemplateSyntaxException extends RuntimeException {
    private final String field;

    TemplateSyntaxException(String message) {
        this(message, null);
    }

    private TemplateSyntaxException(String message, String field) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }

    TemplateSyntaxException in(String path) {
        return field == null ? new TemplateSyntaxException(getMessage(), path) : this;
    }
}
