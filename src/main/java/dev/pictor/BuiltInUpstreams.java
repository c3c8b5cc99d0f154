package dev.pictor;

import dev.pictor.upstream.UpstreamDefinition;
import dev.pictor.upstream.a1111.A1111Upstream;
import dev.pictor.upstream.ark.ArkUpstream;
import dev.pictor.upstream.bfl.BflUpstream;
import dev.pictor.upstream.comfyui.ComfyUiUpstream;
import dev.pictor.upstream.dashscope.DashScopeUpstream;
import dev.pictor.upstream.fal.FalUpstream;
import dev.pictor.upstream.gemini.GeminiUpstream;
import dev.pictor.upstream.kling.KlingUpstream;
import dev.pictor.upstream.openai.OpenAiUpstream;
import dev.pictor.upstream.replicate.ReplicateUpstream;
import dev.pictor.upstream.sdcpp.SdCppUpstream;
import dev.pictor.upstream.xai.XaiUpstream;
import java.util.List;
import java.util.Optional;

/**
 * The upstreams this build of Pictor can call, each described by its adapter package's
 * {@link UpstreamDefinition}. A new upstream is its own package plus one line here. It lives in the
 * root package because it names every adapter, and adapters import {@code dev.pictor.upstream}: a
 * list there would make a package loop. The sandbox is not listed: it is built from its own
 * settings and serves whatever no listed upstream serves.
 */
public final class BuiltInUpstreams {
    private static final List<UpstreamDefinition> ALL = List.of(
            OpenAiUpstream.DEFINITION,
            BflUpstream.DEFINITION,
            GeminiUpstream.DEFINITION,
            ArkUpstream.DEFINITION,
            KlingUpstream.DEFINITION,
            DashScopeUpstream.DEFINITION,
            XaiUpstream.DEFINITION,
            FalUpstream.DEFINITION,
            ReplicateUpstream.DEFINITION,
            A1111Upstream.DEFINITION,
            SdCppUpstream.DEFINITION,
            ComfyUiUpstream.DEFINITION);

    private BuiltInUpstreams() {
    }

    public static List<UpstreamDefinition> all() {
        return ALL;
    }

    public static Optional<UpstreamDefinition> find(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
