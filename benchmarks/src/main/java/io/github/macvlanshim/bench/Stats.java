package io.github.macvlanshim.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeated measurements of one thing, in milliseconds; percentiles by nearest rank. */
final class Stats {

    private final List<Double> values = new ArrayList<>();

    void add(double millis) {
        values.add(millis);
    }

    void addNanos(long nanos) {
        values.add(nanos / 1e6);
    }

    int count() {
        return values.size();
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        List<Double> s = sorted();
        return s.get(s.size() - 1);
    }

    double median() {
        return percentile(50);
    }

    double percentile(double p) {
        List<Double> s = sorted();
        int rank = (int) Math.ceil(p / 100.0 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    /** "min / median / max" with one decimal, for a table cell. */
    String spread() {
        return count() == 0 ? "-" : f(min()) + " / " + f(median()) + " / " + f(max());
    }

    String percentiles() {
        return count() == 0 ? "-" : f(percentile(50)) + " / " + f(percentile(95)) + " / " + f(percentile(99));
    }

    List<Double> values() {
        return List.copyOf(values);
    }

    private List<Double> sorted() {
        if (values.isEmpty()) {
            throw new IllegalStateException("no measurements");
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s;
    }

    static String f(double value) {
        return Math.abs(value) >= 100 ? String.format("%.0f", value) : String.format("%.1f", value);
    }

    static String ratio(double value) {
        return value >= 10 ? String.format("%.0fx", value) : String.format("%.2fx", value);
    }
}
