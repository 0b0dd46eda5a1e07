package io.github.macvlanshim.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;

/** How the LXD/Incus and Docker/Podman parsers show a value from an answer in a problem line. */
class JsonTextTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void aValueIsDescribedByItsTypeOrAsItIsWritten() {
        assertThat(JsonText.describe(null)).isEqualTo("missing");
        assertThat(JsonText.describe(MissingNode.getInstance())).isEqualTo("missing");
        assertThat(JsonText.describe(NODES.nullNode())).isEqualTo("null");
        assertThat(JsonText.describe(NODES.numberNode(42))).isEqualTo("42");
        assertThat(JsonText.describe(TextNode.valueOf("eth0"))).isEqualTo("\"eth0\"");
        assertThat(JsonText.describe(NODES.arrayNode().add(1))).isEqualTo("an array");
        assertThat(JsonText.describe(NODES.objectNode().put("a", 1))).isEqualTo("an object");
    }

    @Test
    void aLongValueIsCutToEightyCharacters() {
        String shown = JsonText.abbreviate(TextNode.valueOf("a".repeat(200)));

        assertThat(shown).hasSize(80).startsWith("\"aaa").endsWith("...");
        assertThat(JsonText.abbreviate(TextNode.valueOf("a".repeat(78)))).hasSize(80).doesNotContain("...");
    }

    @Test
    void aPlainTextIsShownAsItIsAndAnyOtherQuotedAndEscapedOnOneLine() {
        assertThat(JsonText.printable("eth0")).isEqualTo("eth0");
        assertThat(JsonText.printable("eth0\nlink del eth0")).isEqualTo("\"eth0\\nlink del eth0\"");
        assertThat(JsonText.printable("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(JsonText.printable("x".repeat(81))).hasSize(80).endsWith("...");
    }

    @Test
    void anInterfaceNameIsNoProblemAndAnythingElseSaysWhatWasExpected() {
        assertThat(JsonText.interfaceProblem(TextNode.valueOf("eth0"))).isNull();
        assertThat(JsonText.interfaceProblem(null)).isEqualTo("an interface name");
        assertThat(JsonText.interfaceProblem(NODES.numberNode(1))).isEqualTo("an interface name");
        assertThat(JsonText.interfaceProblem(TextNode.valueOf("sixteen-bytes-xx")))
                .startsWith("an interface name (").endsWith(")");
    }
}
