package dev.herald.server.http;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which methods the server serves on a path, from the routes features registered: the {@code Allow} header of a
 * 405 and of an OPTIONS answer (RFC 9110 §10.2.1, §9.3.7). {@code {param}} matches one path segment; a trailing
 * slash is ignored, as the router ignores it.
 */
final class AllowedMethods {
    private record Pattern(String method, String[] segments) {}

    private final List<Pattern> routes;

    AllowedMethods(List<Router.Route> routes) {
        this.routes = routes.stream().map(r -> new Pattern(r.method(), segments(r.path()))).toList();
    }

    /** The methods served on {@code path}, plus OPTIONS; empty when no route has this path. */
    Set<String> on(String path) {
        String[] given = segments(path);
        Set<String> methods = new TreeSet<>();
        for (Pattern p : routes) {
            if (matches(p.segments(), given)) {
                methods.add(p.method());
            }
        }
        if (!methods.isEmpty()) {
            methods.add("OPTIONS");
        }
        return methods;
    }

    /** Every method some route serves, plus OPTIONS: the answer to {@code OPTIONS *}. */
    Set<String> anywhere() {
        Set<String> methods = new TreeSet<>();
        routes.forEach(p -> methods.add(p.method()));
        methods.add("OPTIONS");
        return methods;
    }

    private static boolean matches(String[] pattern, String[] given) {
        if (pattern.length != given.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            boolean param = pattern[i].startsWith("{") && pattern[i].endsWith("}");
            if (param ? given[i].isEmpty() : !pattern[i].equals(given[i])) {
                return false;
            }
        }
        return true;
    }

    private static String[] segments(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return p.split("/", -1);
    }
}
