package dev.kami.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void toolIdIsReverseDnsAndMapsToAnMcpName() {
        assertThat(ToolId.of("dev.kami.http-fetch").mcpName()).isEqualTo("dev_kami_http-fetch");
        assertThat(ToolId.isValid("dev.kami.echo")).isTrue();
        assertThat(ToolId.isValid("echo")).isFalse();
        assertThat(ToolId.isValid("Dev.kami.echo")).isFalse();
        assertThat(ToolId.isValid("dev..echo")).isFalse();
        assertThat(ToolId.of("a." + "b".repeat(100)).mcpName()).hasSize(64).matches("[a-zA-Z0-9_-]{1,64}");
        assertThatThrownBy(() -> ToolId.of("dev.kami.Echo"))
                .hasMessageStartingWith("tool id 'dev.kami.Echo' is not reverse-DNS lowercase");
        assertThatThrownBy(() -> ToolId.of("a." + "b".repeat(130)))
                .hasMessageContaining("is 132 characters; at most 128 are allowed");
    }

    @Test
    void versionsOrderBySemVerPrecedence() {
        List<String> sorted = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "2.0.0");
        List<ToolVersion> shuffled = new ArrayList<>(sorted.stream().map(ToolVersion::parse).toList());
        Collections.reverse(shuffled);
        Collections.sort(shuffled);
        assertThat(shuffled).extracting(ToolVersion::toString).containsExactlyElementsOf(sorted);
        assertThat(ToolVersion.parse("1.0.0+build.1").compareTo(ToolVersion.parse("1.0.0+build.2"))).isZero();
        assertThat(ToolVersion.parse("1.2.3-rc.1+b5").toString()).isEqualTo("1.2.3-rc.1+b5");
        assertThatThrownBy(() -> ToolVersion.parse("01.0.0")).hasMessageContaining("is not SemVer 2.0");
        assertThatThrownBy(() -> ToolVersion.parse("1.0")).hasMessageContaining("expected MAJOR.MINOR.PATCH");
    }

    @Test
    void manifestBuildsASchemaFromFlatArgumentsOrKeepsTheGivenOne() {
        SecurityRequest sec = SecurityRequest.denyAll();
        ToolManifest flat = new ToolManifest(ToolId.of("dev.kami.x"), "x", ToolVersion.parse("1.0.0"), "x.wasm", null,
                null, "d", List.of(new ToolArgument("q", ArgumentType.STRING, "a \"query\"\n", true)), null, null, null, sec);
        assertThat(flat.effectiveInputSchema()).isEqualTo(
                "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\",\"description\":\"a \\\"query\\\"\\n\"}},\"required\":[\"q\"]}");
        ToolManifest none = new ToolManifest(ToolId.of("dev.kami.x"), "x", ToolVersion.parse("1.0.0"), "x.wasm", null,
                null, "d", List.of(), null, null, null, null);
        assertThat(none.effectiveInputSchema()).isEqualTo("{\"type\":\"object\",\"additionalProperties\":false}");
        assertThat(none.security()).isEqualTo(sec);
        assertThatThrownBy(() -> new ToolManifest(ToolId.of("dev.kami.x"), "x", ToolVersion.parse("1.0.0"), "x.wasm",
                null, null, "d", flat.arguments(), "{\"type\":\"object\"}", null, null, sec))
                .hasMessage("tool dev.kami.x gives both [[mcp.arguments]] and input_schema; keep one");
    }

    @Test
    void securityRequestValidatesAndHasAStableCanonicalText() {
        SecurityRequest a = new SecurityRequest(FsAccess.SANDBOX, List.of("b.com", "a.com"), List.of("Y", "X"), 8, 10, 0, 5);
        SecurityRequest b = new SecurityRequest(FsAccess.SANDBOX, List.of("a.com", "b.com"), List.of("X", "Y"), 8, 10, 0, 5);
        assertThat(a.canonical()).isEqualTo(b.canonical()).contains("net_allow_list=a.com,b.com\n");
        assertThatThrownBy(() -> new SecurityRequest(FsAccess.NONE, List.of(), List.of(), 0, 10, 0, 5))
                .hasMessage("max_memory_mb must be positive, got 0");
    }

    @Test
    void labelsRoundTrip() {
        assertThat(Abi.fromLabel("kami-v1")).contains(Abi.KAMI_V1);
        assertThat(Abi.fromLabel("wasi")).isEmpty();
        assertThat(FsAccess.fromLabel("read-only")).contains(FsAccess.READ_ONLY);
        assertThat(FsAccess.min(FsAccess.READ_ONLY, FsAccess.SANDBOX)).isEqualTo(FsAccess.SANDBOX);
        assertThat(ArgumentType.fromJsonName("integer")).contains(ArgumentType.INTEGER);
    }
}
