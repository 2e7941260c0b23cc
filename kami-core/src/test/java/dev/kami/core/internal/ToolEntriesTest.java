package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.InstalledTool;
import dev.kami.spi.EntryPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MCP names of a plugin's tools (ADR 0120 section 7) and how the registry keeps them. */
class ToolEntriesTest {
    private static List<EntryPoint> entries(String... names) {
        return java.util.Arrays.stream(names).map(n -> new EntryPoint(n, "d " + n, null)).toList();
    }

    @Test
    void namesAreTheToolsMcpNameTwoUnderscoresAndTheEntryMadeClientSafe() {
        List<InstalledTool.Entry> named = ToolEntries.named("dev_hyper_v1",
                entries("echo", "get-weather", "fetch.url", "café"), List.of());
        assertThat(named).extracting(InstalledTool.Entry::mcpName).containsExactly("dev_hyper_v1__echo",
                "dev_hyper_v1__get-weather", "dev_hyper_v1__fetch_url", "dev_hyper_v1__caf_");
        assertThat(named).extracting(InstalledTool.Entry::name).containsExactly("echo", "get-weather", "fetch.url",
                "café");
        assertThat(named.get(0).description()).isEqualTo("d echo");
    }

    @Test
    void aNameTooLongOrSharedIsCutAndEndsInAHashOfTheFullName() {
        String longEntry = "a".repeat(80);
        List<InstalledTool.Entry> named = ToolEntries.named("dev_hyper_v1",
                entries(longEntry, "fetch.url", "fetch_url"), List.of());
        for (InstalledTool.Entry e : named) {
            assertThat(e.mcpName()).matches("^[a-zA-Z0-9_-]{1,64}$");
        }
        assertThat(named.get(0).mcpName()).hasSize(64).startsWith("dev_hyper_v1__aaaa").matches(".*_[0-9a-f]{8}$");
        // fetch.url and fetch_url would both be dev_hyper_v1__fetch_url: both get a hash, and differ
        assertThat(named.get(1).mcpName()).matches("dev_hyper_v1__fetch_url_[0-9a-f]{8}");
        assertThat(named.get(2).mcpName()).matches("dev_hyper_v1__fetch_url_[0-9a-f]{8}");
        assertThat(named.get(1).mcpName()).isNotEqualTo(named.get(2).mcpName());
        // stable: the same plugin gets the same names in every process
        assertThat(ToolEntries.named("dev_hyper_v1", entries(longEntry), List.of()).get(0).mcpName())
                .isEqualTo(named.get(0).mcpName());
    }

    @Test
    void skippedToolsAreLeftOut() {
        assertThat(ToolEntries.named("t", entries("a", "b", "c"), List.of("b", "z")))
                .extracting(InstalledTool.Entry::name).containsExactly("a", "c");
    }

    @Test
    void theRegistryTextReadsBackTheSameEntries() {
        List<EntryPoint> in = List.of(new EntryPoint("echo", "echoes \"it\"", "{\"type\":\"object\"}"),
                new EntryPoint("bare", "", null));
        assertThat(ToolEntries.fromJson(ToolEntries.toJson(in))).isEqualTo(in);
        assertThatThrownBy(() -> ToolEntries.fromJson("{\"name\":\"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected a JSON array of entries");
    }
}
