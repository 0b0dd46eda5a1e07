package io.github.macvlanshim.deployment.devui;

import io.github.macvlanshim.runtime.devui.MacvlanShimJsonRpcService;
import io.quarkus.deployment.IsLocalDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.BuildSteps;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/** The Dev UI card and its page, in local dev mode only (as the core extensions do in 3.33). */
@BuildSteps(onlyIf = IsLocalDevelopment.class)
class MacvlanShimDevUIProcessor {

    @BuildStep
    CardPageBuildItem card() {
        CardPageBuildItem card = new CardPageBuildItem();
        card.addPage(Page.webComponentPageBuilder()
                .title("Shims")
                .icon("font-awesome-solid:network-wired")
                .componentLink("qwc-macvlan-shim-shims.js")
                .dynamicLabelJsonRPCMethodName("getSummary"));
        return card;
    }

    @BuildStep
    JsonRPCProvidersBuildItem jsonRpc() {
        return new JsonRPCProvidersBuildItem(MacvlanShimJsonRpcService.class);
    }
}
