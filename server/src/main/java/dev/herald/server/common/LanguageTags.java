package dev.herald.server.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * BCP 47 language tags: strict checking of the tags an app gives (a known ISO 639 language, a known region), their
 * canonical spelling ({@code pt-br} → {@code pt-BR}), and RFC 4647 lookup of the best of several tags for a reader
 * ({@code de-AT} → {@code de-AT}, else {@code de}, else none).
 */
public final class LanguageTags {
    private static final Set<String> LANGUAGES = Set.of(Locale.getISOLanguages());
    private static final Set<String> REGIONS = Set.of(Locale.getISOCountries());

    private LanguageTags() {}

    /** The canonical form of {@code tag}, or empty when it is malformed or names an unknown language or region. */
    public static Optional<String> canonical(String tag) {
        if (tag == null || tag.isEmpty() || tag.length() > 35) {
            return Optional.empty();
        }
        Locale locale;
        try {
            locale = new Locale.Builder().setLanguageTag(tag).build();
        } catch (IllformedLocaleException e) {
            return Optional.empty();
        }
        String language = locale.getLanguage();
        if (language.isEmpty() || !(LANGUAGES.contains(language) || language.length() == 3 && knows3(language))) {
            return Optional.empty();
        }
        String region = locale.getCountry();
        if (!region.isEmpty() && !REGIONS.contains(region) && !region.matches("[0-9]{3}")) {
            return Optional.empty();
        }
        return Optional.of(locale.toLanguageTag());
    }

    /** A 3-letter ISO 639 code the JDK has a name for (fil, haw, …). */
    private static boolean knows3(String language) {
        return !Locale.of(language).getDisplayLanguage(Locale.ENGLISH).equals(language);
    }

    /**
     * The entry of {@code available} (canonical tags) that best serves a reader of {@code wanted} (any spelling):
     * the tag itself, then ever shorter prefixes of it ({@code zh-Hant-TW}, {@code zh-Hant}, {@code zh}). Empty when
     * none matches or {@code wanted} is null or unreadable.
     */
    public static Optional<String> lookup(String wanted, Collection<String> available) {
        if (wanted == null || wanted.isBlank() || available.isEmpty()) {
            return Optional.empty();
        }
        String tag;
        try {
            tag = new Locale.Builder().setLanguageTag(wanted.strip().replace('_', '-')).build().toLanguageTag();
        } catch (IllformedLocaleException e) {
            tag = wanted.strip();
        }
        for (String candidate : prefixes(tag)) {
            for (String a : available) {
                if (a.equalsIgnoreCase(candidate)) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> prefixes(String tag) {
        List<String> out = new ArrayList<>();
        String t = tag;
        while (!t.isEmpty()) {
            out.add(t);
            int dash = t.lastIndexOf('-');
            if (dash < 0) {
                break;
            }
            t = t.substring(0, dash);
            // RFC 4647: a single-letter subtag (an extension or private-use marker) goes with what follows it.
            if (t.length() >= 2 && t.charAt(t.length() - 2) == '-') {
                t = t.substring(0, t.length() - 2);
            }
        }
        return out;
    }
}
