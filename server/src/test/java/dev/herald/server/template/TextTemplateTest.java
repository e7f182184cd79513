package dev.herald.server.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String ok(Rendered<String> r) {
        assertThat(r).isInstanceOf(Rendered.Ok.class);
        return ((Rendered.Ok<String>) r).value();
    }

    @Test
    void variablesAreFilledAsPlainTextWithoutHtmlEscaping() {
        TextTemplate t = TextTemplate.parse("Hi {{name}} & {{user.city}} <b>");
        assertThat(ok(t.render(Map.of("name", "Ada <\"Lovelace\"> & co", "user", Map.of("city", "Köln")))))
                .isEqualTo("Hi Ada <\"Lovelace\"> & co & Köln <b>");
        assertThat(t.variables()).containsExactlyInAnyOrder("name", "user.city");
    }

    @Test
    void aMissingOrNullVariableIsReportedNeverRenderedEmpty() {
        TextTemplate t = TextTemplate.parse("Hi {{name}},\nyou have {{count}}");
        assertThat(t.render(Map.of("name", "Ada"))).isEqualTo(new Rendered.Missing<String>("count", 2, null));
        java.util.HashMap<String, Object> withNull = new java.util.HashMap<>();
        withNull.put("name", null);
        withNull.put("count", 1);
        assertThat(t.render(withNull)).isInstanceOf(Rendered.Missing.class)
                .extracting(r -> ((Rendered.Missing<String>) r).variable()).isEqualTo("name");
        assertThat(TextTemplate.parse("{{user.name}}").render(Map.of("user", Map.of())))
                .isInstanceOf(Rendered.Missing.class);
        assertThat(TextTemplate.parse("{{#flag}}x{{/flag}}").render(Map.of())).isInstanceOf(Rendered.Missing.class);
        assertThat(((Rendered.Missing<String>) t.render(Map.of("name", "Ada"))).describe())
                .isEqualTo("variable 'count' has no value (line 2)");
    }

    @Test
    void pluralSectionsFollowTheCount() {
        TextTemplate t = TextTemplate.parse("{{#count.zero}}No posts{{/count.zero}}{{#count.one}}1 new post{{/count.one}}"
                + "{{#count.many}}{{count}} new posts{{/count.many}}");
        assertThat(ok(t.render(Map.of("count", 0)))).isEqualTo("No posts");
        assertThat(ok(t.render(Map.of("count", 1)))).isEqualTo("1 new post");
        assertThat(ok(t.render(Map.of("count", 7)))).isEqualTo("7 new posts");
        TextTemplate other = TextTemplate.parse("{{count}} Beitr{{#count.one}}ag{{/count.one}}{{#count.other}}äge{{/count.other}}"
                + "{{^count.one}}!{{/count.one}}{{#count.two}} (zwei){{/count.two}}");
        assertThat(ok(other.render(Map.of("count", 1)))).isEqualTo("1 Beitrag");
        assertThat(ok(other.render(Map.of("count", 2)))).isEqualTo("2 Beiträge! (zwei)");
        assertThat(ok(other.render(Map.of("count", 0)))).isEqualTo("0 Beiträge!");
    }

    @Test
    void listsRenderWithPositionAndFalsyValuesHide() {
        TextTemplate t = TextTemplate.parse("{{#names}}{{^-first}}{{#-last}} and {{/-last}}{{^-last}}, {{/-last}}{{/-first}}{{.}}{{/names}}"
                + "{{#more}} and {{more}} other{{#more.other}}s{{/more.other}}{{/more}}{{^names}}nobody{{/names}}");
        assertThat(ok(t.render(Map.of("names", List.of("Ada", "Bob", "Cy"), "more", 0)))).isEqualTo("Ada, Bob and Cy");
        assertThat(ok(t.render(Map.of("names", List.of("Ada", "Bob"), "more", 1)))).isEqualTo("Ada and Bob and 1 other");
        assertThat(ok(t.render(Map.of("names", List.of(), "more", 0)))).isEqualTo("nobody");
        assertThat(ok(TextTemplate.parse("{{#title}}[{{title}}]{{/title}}").render(Map.of("title", "")))).isEmpty();
    }

    @Test
    void badSyntaxAndRefusedFeaturesAreSyntaxErrors() {
        for (String bad : List.of("{{#a}}open", "{{#a}}x{{/b}}", "{{name", "{{/a}}", "{{>partial}}", "{{bad name}}",
                "{{1abc}}", "{{<parent}}{{/parent}}", "x".repeat(TextTemplate.MAX_CHARS + 1))) {
            assertThatThrownBy(() -> TextTemplate.parse(bad)).as(bad).isInstanceOf(TemplateSyntaxException.class);
        }
        assertThat(TextTemplate.parse("plain text").isPlain()).isTrue();
    }

    @Test
    void contentTemplatesRenderEveryStringAndNameTheFieldOfAMissingVariable() throws Exception {
        ObjectNode content = (ObjectNode) JSON.readTree("""
                {"title": "{{count}} new post{{#count.other}}s{{/count.other}}", "body": "from {{author}}", "ttl": 5,
                 "url": "/posts/{{postId}}", "actions": [{"action": "open", "title": "Open {{author}}"}],
                 "data": {"id": "{{postId}}", "n": 3}}""");
        ContentTemplate t = ContentTemplate.parse(content);
        assertThat(t.variables()).containsExactlyInAnyOrder("count", "count.other", "author", "postId");
        Rendered<ObjectNode> r = t.render(TemplateData.of(JSON.readTree("{\"count\": 2, \"author\": \"Ada\", \"postId\": 42}")));
        assertThat(((Rendered.Ok<ObjectNode>) r).value()).isEqualTo(JSON.readTree("""
                {"title": "2 new posts", "body": "from Ada", "ttl": 5, "url": "/posts/42",
                 "actions": [{"action": "open", "title": "Open Ada"}], "data": {"id": "42", "n": 3}}"""));
        assertThat(t.render(Map.of("count", 2, "postId", 1)))
                .isEqualTo(new Rendered.Missing<ObjectNode>("author", 1, "body"));
        assertThat(t.content()).isEqualTo(content);
        assertThatThrownBy(() -> ContentTemplate.parse((ObjectNode) JSON.readTree("{\"actions\": [{\"title\": \"{{#x}}\"}]}")))
                .isInstanceOf(TemplateSyntaxException.class)
                .extracting(e -> ((TemplateSyntaxException) e).field()).isEqualTo("actions[0].title");
    }

    @Test
    void mergedDataPrefersTheUsersValues() {
        assertThat(TemplateData.merge(Map.of("name", "you", "count", 1), Map.of("name", "Ada")))
                .isEqualTo(Map.of("name", "Ada", "count", 1));
    }
}
