package io.github.macvlanshim.it;

import static io.restassured.RestAssured.given;

import java.util.Arrays;

/** Reads one sample from the Prometheus text at /q/metrics. */
final class Metrics {

    private Metrics() {
    }

    /** The value of {@code name} with all of {@code labels} (each as key="value"), or NaN when absent. */
    static double value(String name, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return Arrays.stream(text.split("\n"))
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(label -> line.contains(label)))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }
}
