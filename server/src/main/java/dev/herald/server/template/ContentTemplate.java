package dev.herald.server.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JSON object whose strings are templates (a notification's {@code payload}: {@code title}, {@code body},
 * {@code url}, {@code actions[0].title}, strings inside {@code data}…); member names, numbers and booleans are kept
 * as they are. {@link #render} returns a rendered copy or the first missing variable with the field it was in.
 * See {@link TextTemplate} for the language. Immutable and thread-safe.
 */
public final class ContentTemplate {
    private record Part(List<Object> path, TextTemplate template) {}

    private final ObjectNode content;
    private final List<Part> parts;
    private final Set<String> variables;

    private ContentTemplate(ObjectNode content, List<Part> parts, Set<String> variables) {
        this.content = content;
        this.parts = parts;
        this.variables = variables;
    }

    /**
     * Compiles every string in {@code content} (which is copied); throws {@link TemplateSyntaxException} whose
     * {@link TemplateSyntaxException#field()} names the string that does not compile ({@code actions[0].title}).
     */
    public static ContentTemplate parse(ObjectNode content) {
        List<Part> parts = new ArrayList<>();
        ObjectNode copy = content.deepCopy();
        collect(copy, new ArrayList<>(), parts);
        Set<String> variables = new TreeSet<>();
        parts.forEach(p -> variables.addAll(p.template().variables()));
        return new ContentTemplate(copy, List.copyOf(parts), Set.copyOf(variables));
    }

    private static void collect(JsonNode node, List<Object> path, List<Part> parts) {
        if (node.isTextual()) {
            TextTemplate t;
            try {
                t = TextTemplate.parse(node.textValue());
            } catch (TemplateSyntaxException e) {
                throw e.in(describe(path));
            }
            if (!t.isPlain()) {
                parts.add(new Part(List.copyOf(path), t));
            }
        } else if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                path.add(e.getKey());
                collect(e.getValue(), path, parts);
                path.removeLast();
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                path.add(i);
                collect(a.get(i), path, parts);
                path.removeLast();
            }
        }
    }

    /** The content filled from {@code data}, or the first variable that had no value. The template is unchanged. */
    public Rendered<ObjectNode> render(Map<String, ?> data) {
        ObjectNode out = content.deepCopy();
        for (Part part : parts) {
            switch (part.template().render(data)) {
                case Rendered.Ok<String> ok -> set(out, part.path(), ok.value());
                case Rendered.Missing<String> missing -> {
                    return missing.in(describe(part.path()));
                }
            }
        }
        return new Rendered.Ok<>(out);
    }

    private static void set(JsonNode root, List<Object> path, String value) {
        JsonNode parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            parent = step instanceof Integer index ? parent.get(index) : parent.get((String) step);
        }
        Object last = path.getLast();
        if (last instanceof Integer index) {
            ((ArrayNode) parent).set(index, TextNode.valueOf(value));
        } else {
            ((ObjectNode) parent).put((String) last, value);
        }
    }

    /** {@code actions[0].title}. */
    private static String describe(List<Object> path) {
        StringBuilder sb = new StringBuilder();
        for (Object step : path) {
            if (step instanceof Integer index) {
                sb.append('[').append(index).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(step);
            }
        }
        return sb.toString();
    }

    /** The content as given (a copy). */
    public ObjectNode content() {
        return content.deepCopy();
    }

    /** The names of the variables and sections used anywhere in it. */
    public Set<String> variables() {
        return variables;
    }
}
