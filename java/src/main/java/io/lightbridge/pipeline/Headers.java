package io.lightbridge.pipeline;

import java.util.ArrayList;
import java.util.List;

/** Immutable HTTP header list; names compare case-insensitively, order and repeats are kept. */
public final class Headers {
    public static final Headers EMPTY = new Headers(List.of());

    public record Header(String name, String value) {}

    private final List<Header> entries;

    private Headers(List<Header> entries) {
        this.entries = entries;
    }

    public static Headers of(List<Header> entries) {
        return entries.isEmpty() ? EMPTY : new Headers(List.copyOf(entries));
    }

    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        var list = new ArrayList<Header>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
        }
        return of(list);
    }

    /** The first value of the named header, or null. */
    public String first(String name) {
        for (Header h : entries) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    public Headers with(String name, String value) {
        var all = entries.toArray(new Header[entries.size() + 1]);
        all[entries.size()] = new Header(name, value);
        return new Headers(List.of(all)); // one copy: every response gets X-Request-Id this way
    }

    public List<Header> all() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "Headers" + entries.stream().map(Header::name).toList();
    }
}
