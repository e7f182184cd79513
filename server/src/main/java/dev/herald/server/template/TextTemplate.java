package dev.herald.server.template;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.MustacheParseException;
import com.samskivert.mustache.Template;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One logic-less text template (Mustache, rendered by JMustache), the unit of Herald's notification templates.
 *
 * <h2>The API of this package</h2>
 * <ul>
 *   <li>{@link #parse(String)} compiles and validates a text, or throws {@link TemplateSyntaxException} (bad tag
 *       syntax, an unclosed or mismatched section, a bad variable name, a partial or block, which are refused).</li>
 *   <li>{@link #render(Map)} fills it from plain values (maps, lists, strings, numbers, booleans; turn request JSON into
 *       them with {@link TemplateData#of}) and returns a {@link Rendered}: {@link Rendered.Ok} with the text, or
 *       {@link Rendered.Missing} naming the first variable or section that had no value (absent or {@code null}).
 *       A missing value is never rendered as empty text, and nothing half-rendered is returned.</li>
 *   <li>{@link ContentTemplate} applies the same to a whole JSON object (a notification's {@code payload}: every
 *       string inside it, at any depth, is a template), returning the rendered copy.</li>
 * </ul>
 *
 * <h2>Template language</h2>
 * <ul>
 *   <li>{@code {{name}}}, {@code {{user.name}}}: a value. Output is plain text, never HTML-escaped ({@code &} stays
 *       {@code &}); it ends up as a JSON string, which the JSON writer escapes.</li>
 *   <li>{@code {{#items}}…{{/items}}}: repeated per element of a list (inside, {@code {{.}}} is the element,
 *       {@code {{-first}}}, {@code {{-last}}}, {@code {{-index}}} its position); shown once for {@code true}, a
 *       non-empty string, a non-zero number or an object (which becomes the context); hidden for {@code false},
 *       {@code ""}, {@code 0} and an empty list. {@code {{^items}}…{{/items}}} is the inverse.</li>
 *   <li>Plurals: a number {@code n} has the sections {@code n.zero} (n = 0), {@code n.one} (n = 1), {@code n.two}
 *       (n = 2), {@code n.many} (n ≥ 2) and {@code n.other} (n ≠ 1, the English and German plural, 0 included):
 *       {@code {{count}} {{#count.one}}post{{/count.one}}{{#count.other}}posts{{/count.other}}}.</li>
 *   <li>Sections must name a value that exists too: a missing section name is reported like a missing variable
 *       (pass {@code false} or {@code []} to hide a section).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe: parse once, render concurrently.
 */
public final class TextTemplate {
    /** Longest template text accepted. */
    public static final int MAX_CHARS = 8192;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}(\\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,7}");
    private static final Set<String> SPECIAL = Set.of(".", "this", "-first", "-last", "-index");
    private static final Mustache.Compiler COMPILER = Mustache.compiler()
            .escapeHTML(false)
            .strictSections(true)
            .emptyStringIsFalse(true)
            .zeroIsFalse(true)
            .withCollector(new PluralCollector())
            .withLoader(name -> {
                throw new UnsupportedOperationException("partials are not supported");
            });

    private final String source;
    private final Template template;
    private final Set<String> variables;

    private TextTemplate(String source, Template template, Set<String> variables) {
        this.source = source;
        this.template = template;
        this.variables = variables;
    }

    /** Compiles {@code source}; throws {@link TemplateSyntaxException} saying what is wrong and on which line. */
    public static TextTemplate parse(String source) {
        if (source.length() > MAX_CHARS) {
            throw new TemplateSyntaxException("is longer than " + MAX_CHARS + " characters");
        }
        Template template;
        try {
            template = COMPILER.compile(source);
        } catch (MustacheParseException e) {
            throw new TemplateSyntaxException(e.getMessage());
        } catch (MustacheException e) {
            throw new TemplateSyntaxException(e.getMessage());
        }
        Set<String> names = new TreeSet<>();
        template.visit(new Mustache.Visitor() {
            @Override
            public void visitText(String text) {
                // JMustache keeps an unclosed tag as text; here it is a typo to report, not text to send.
                if (text.contains("{{")) {
                    throw new TemplateSyntaxException("a tag opened with {{ is not closed with }}");
                }
            }

            @Override
            public void visitVariable(String name) {
                names.add(check(name));
            }

            @Override
            public boolean visitInclude(String name) {
                throw new TemplateSyntaxException("partials ({{>" + name + "}}) are not supported");
            }

            @Override
            public boolean visitParent(String name) {
                throw new TemplateSyntaxException("template inheritance ({{<" + name + "}}) is not supported");
            }

            @Override
            public boolean visitBlock(String name) {
                throw new TemplateSyntaxException("blocks ({{$" + name + "}}) are not supported");
            }

            @Override
            public boolean visitSection(String name) {
                names.add(check(name));
                return true;
            }

            @Override
            public boolean visitInvertedSection(String name) {
                names.add(check(name));
                return true;
            }
        });
        names.removeAll(SPECIAL);
        return new TextTemplate(source, template, Set.copyOf(names));
    }

    private static String check(String name) {
        if (!SPECIAL.contains(name) && !NAME.matcher(name).matches()) {
            throw new TemplateSyntaxException("'" + name + "' is not a variable name (letters, digits, _ and -, "
                    + "starting with a letter or _, parts joined by dots)");
        }
        return name;
    }

    /** Renders with {@code data} (plain values; see {@link TemplateData}). Never throws for missing values. */
    public Rendered<String> render(Map<String, ?> data) {
        try {
            return new Rendered.Ok<>(template.execute(data));
        } catch (MustacheException.Context e) {
            return new Rendered.Missing<>(e.key, e.lineNo, null);
        }
    }

    /** The text as given. */
    public String source() {
        return source;
    }

    /** The names of the variables and sections it uses (compound names as written, {@code count.one}). */
    public Set<String> variables() {
        return variables;
    }

    /** Whether the text has no tags at all (renders to itself). */
    public boolean isPlain() {
        return variables.isEmpty() && !source.contains("{{");
    }
}
