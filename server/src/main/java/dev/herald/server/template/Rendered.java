package dev.herald.server.template;

/**
 * What rendering a template gave: the value, or the first variable that had no value. Nothing of a failed
 * rendering is kept, so a half-filled text can never be sent.
 */
public sealed interface Rendered<T> {
    /** The rendered value. */
    record Ok<T>(T value) implements Rendered<T> {}

    /**
     * {@code variable} (as written, e.g. {@code user.name}) had no value on template line {@code line}; {@code field}
     * is where in a {@link ContentTemplate} the template was ({@code body}, {@code actions[0].title}), else null.
     */
    record Missing<T>(String variable, int line, String field) implements Rendered<T> {
        /** For a person: {@code variable 'name' has no value (in title, line 1)}. */
        public String describe() {
            return "variable '" + variable + "' has no value (" + (field == null ? "" : "in " + field + ", ")
                    + "line " + line + ")";
        }

        <U> Missing<U> in(String path) {
            return new Missing<>(variable, line, field == null ? path : field);
        }
    }
}
