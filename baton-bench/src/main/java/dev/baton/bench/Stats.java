package dev.baton.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Percentiles and medians. Nearest-rank on sorted copies; inputs are never modified. Internal to
 * the harness (public for its scenario package).
 */
public final class Stats {
    private Stats() {}

    /** The {@code p}-th percentile (0 < p ≤ 100) of {@code values}, nearest rank. */
    public static long percentile(long[] values, int count, double p) {
        if (count == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }

    /** The median of {@code values}: the mean of the middle two for an even count. */
    public static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        if (n == 0) {
            throw new IllegalArgumentException("no values");
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
