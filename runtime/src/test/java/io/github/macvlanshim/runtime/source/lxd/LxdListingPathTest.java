package io.github.macvlanshim.runtime.source.lxd;

import static io.github.macvlanshim.runtime.source.lxd.Fixtures.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class LxdListingPathTest {

    @Test
    void lxd502WhichHasNoSelectiveStateIsAskedForTheFullListing() {
        assertThat(LxdEndpoints.instancesPath(metadata("server.json")))
                .isEqualTo("/1.0/instances?recursion=2&all-projects=true");
    }

    @Test
    void aDaemonWithSelectiveStateIsAskedForTheNetworkStateOnly() {
        ObjectNode server = (ObjectNode) metadata("server.json");
        ((ArrayNode) server.get("api_extensions")).add("instances_state_selective_recursion");

        assertThat(LxdEndpoints.instancesPath(server))
                .isEqualTo("/1.0/instances?recursion=2%3Bfields%3Dstate.network&all-projects=true");
    }

    @Test
    void aServerAnswerWithoutExtensionsFallsBackToTheFullListing() {
        ObjectNode server = (ObjectNode) metadata("server.json");
        server.remove("api_extensions");
        assertThat(LxdEndpoints.instancesPath(server)).isEqualTo(LxdEndpoints.INSTANCES_PATH);
        server.put("api_extensions", "instances_state_selective_recursion");
        assertThat(LxdEndpoints.instancesPath(server)).isEqualTo(LxdEndpoints.INSTANCES_PATH);
    }
}
