package io.github.macvlanshim.agent;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The series a PromQL query selects: every name directly before a label selector ({@code name{...}}). */
final class DashboardQueries {

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");

    private DashboardQueries() {
    }

    static Set<String> metricNames(String query) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = SELECTOR.matcher(query);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
