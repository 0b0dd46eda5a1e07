package io.github.macvlanshim.agent;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.macvlanshim.agent.StatusCommand.Table;
import io.github.macvlanshim.runtime.net.UntrustedText;

/** The status document as an operator reads it: a verdict, its reasons, then one table per kind of thing. Pure. */
final class StatusTables {

    private StatusTables() {
    }

    static String status(JsonNode doc) {
        StringBuilder text = new StringBuilder();
        text.append("macvlan-shim ").append(escaped(doc, "version")).append(": ")
                .append(doc.path("ready").asBoolean() ? "ready" : "NOT READY").append('\n');
        doc.path("reasons").forEach(reason -> text.append("  - ").append(UntrustedText.escape(reason.asText()))
                .append('\n'));
        JsonNode last = doc.path("lastReconcile");
        text.append('\n').append(new Table("LAST RECONCILE", "TRIGGER", "OUTCOME", "PENDING", "FAILURES", "MESSAGE")
                .row(or(last.path("time").asText(), "never"), last.path("trigger").asText(), last.path("outcome").asText(),
                        last.path("pending").asInt(), last.path("failures").asInt(), last.path("message").asText())
                .render());

        Table shims = new Table("SHIM", "PARENT", "PARENT STATE", "STATE", "ADDRESSES", "MAC", "ROUTES", "LINKDOWN",
                "CONFLICTS");
        for (JsonNode shim : doc.path("shims")) {
            List<String> addresses = new ArrayList<>();
            shim.path("addresses").forEach(address -> addresses.add(address.asText()));
            shims.row(shim.path("name").asText(), shim.path("parent").asText(),
                    shim.path("parentState").asText().replace('_', ' '), shim.path("state").asText(),
                    or(String.join(",", addresses), "-"), or(shim.path("mac").asText(), "-"), shim.path("routes").asInt(),
                    shim.path("linkdownRoutes").asInt(), shim.path("conflicts").asInt());
        }
        text.append('\n').append(shims.render());

        Table sources = new Table("SOURCE", "STATE", "ENDPOINTS", "LAST ANSWER", "DAEMON", "ERROR");
        for (JsonNode source : doc.path("sources")) {
            sources.row(source.path("name").asText(), source.path("state").asText(), source.path("endpoints").asInt(),
                    or(source.path("lastAnswer").asText(), "never"), or(source.path("daemon").asText(), "-"),
                    or(source.path("error").asText(), "-"));
        }
        if (!sources.isEmpty()) {
            text.append('\n').append(sources.render());
        }

        Table conflicts = new Table("CONFLICT ON", "KIND", "SUBJECT", "DETAIL");
        for (JsonNode conflict : doc.path("conflicts")) {
            conflicts.row(conflict.path("shim").asText(), conflict.path("kind").asText().replace('_', ' '),
                    conflict.path("subject").asText(), conflict.path("detail").asText());
        }
        if (!conflicts.isEmpty()) {
            text.append('\n').append(conflicts.render());
        }
        int routes = doc.path("routes").size();
        text.append('\n').append(routes).append(routes == 1 ? " route" : " routes")
                .append(" owned; macvlan-shim routes lists them with their instances\n");
        return text.toString();
    }

    static String routes(JsonNode doc) {
        Table routes = new Table("DESTINATION", "SHIM", "LINKDOWN", "INSTANCES");
        for (JsonNode route : doc.path("routes")) {
            List<String> instances = new ArrayList<>();
            for (JsonNode served : route.path("instances")) {
                String project = served.path("project").asText();
                String nic = served.path("nic").asText();
                instances.add(served.path("source").asText() + " " + (project.isEmpty() ? "" : project + "/")
                        + served.path("instance").asText() + (nic.isEmpty() ? "" : " " + nic));
            }
            routes.row(route.path("destination").asText(), route.path("shim").asText(),
                    route.path("linkdown").asBoolean() ? "yes" : "no",
                    instances.isEmpty() ? "(none: no longer wanted, kept until every source has answered)"
                            : String.join(", ", instances));
        }
        return routes.render();
    }

    private static String escaped(JsonNode doc, String field) {
        return UntrustedText.escape(doc.path(field).asText());
    }

    private static String or(String text, String instead) {
        return text.isEmpty() ? instead : text;
    }
}
