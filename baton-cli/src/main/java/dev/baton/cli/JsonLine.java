package dev.baton.cli;

import java.util.List;

/**
 * A flat JSON object written as one line, for the demo's child processes. It avoids loading
 * Jackson's data binding (about 400 classes) in each child, which matters when three JVMs start at
 * once on a small machine; the parent parses the lines with Jackson. Not thread-safe: build on one
 * thread, then hand the finished string over.
 */
final class JsonLine {
    private final StringBuilder b = new StringBuilder("{");

    JsonLine put(String key, String value) {
        key(key);
        quote(value);
        return this;
    }

    JsonLine put(String key, long value) {
        key(key);
        b.append(value);
        return this;
    }

    /** An array of arrays of numbers, e.g. {@code [[1,2,3],[4,5,6]]}. */
    JsonLine put(String key, List<long[]> rows) {
        key(key);
        b.append('[');
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('[');
            long[] row = rows.get(i);
            for (int j = 0; j < row.length; j++) {
                if (j > 0) {
                    b.append(',');
                }
                b.append(row[j]);
            }
            b.append(']');
        }
        b.append(']');
        return this;
    }

    @Override
    public String toString() {
        return b + "}";
    }

    private void key(String key) {
        if (b.length() > 1) {
            b.append(',');
        }
        quote(key);
        b.append(':');
    }

    private void quote(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
