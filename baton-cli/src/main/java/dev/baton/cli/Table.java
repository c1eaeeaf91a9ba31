package dev.baton.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/** Aligned plain-text columns, two spaces apart; the given columns are right-aligned. */
final class Table {
    private Table() {}

    static void print(PrintWriter out, List<String[]> rows, int... rightAligned) {
        format(rows, rightAligned).forEach(out::println);
    }

    static List<String> format(List<String[]> rows, int... rightAligned) {
        List<String> lines = new java.util.ArrayList<>();
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    b.append("  ");
                }
                final int col = i;
                boolean right = Arrays.stream(rightAligned).anyMatch(c -> c == col);
                String pad = " ".repeat(width[i] - r[i].length());
                b.append(right ? pad + r[i] : (i == r.length - 1 ? r[i] : r[i] + pad));
            }
            lines.add(b.toString());
        }
        return lines;
    }
}
