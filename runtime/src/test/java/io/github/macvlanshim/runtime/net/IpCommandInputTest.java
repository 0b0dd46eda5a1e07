package io.github.macvlanshim.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class IpCommandInputTest {

    @Test
    void anInputLargerThanAPipeReachesTheCommandWhole() throws Exception {
        String input = "route add 2001:db8:100::1/128 dev mynet proto 77\n".repeat(5000);

        IpCommand.Output output = new IpCommand(Optional.empty()).inNamespace(List.of("cat"), input);

        assertThat(output.stdout()).isEqualTo(input);
    }
}
