package dev.kami.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.PolicyViolationException;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolId;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PermissionsTest {

    private static SecurityRequest request(FsAccess fs, List<String> net, List<String> env, int mem) {
        return new SecurityRequest(fs, net, env, mem, 5000, 0, 1024);
    }

    @Test
    void effectiveIsRequestIntersectGrantIntersectCeiling() {
        SecurityRequest req = request(FsAccess.SANDBOX, List.of("*", "api.example.com"), List.of("HOME", "TOKEN"), 64);
        Grants grants = new Grants(FsAccess.SANDBOX, null, List.of("*.github.com", "api.example.com"), List.of("HOME", "PATH"));
        HostPolicy ceiling = HostPolicy.builder().allowHosts("api.github.com", "api.example.com").allowEnv("HOME")
                .maxMemoryMb(32).build();
        EffectivePermissions e = Permissions.effective(req, grants, ceiling);
        assertThat(e.netAllowList()).containsExactly("api.github.com", "api.example.com");
        assertThat(e.envAllowList()).containsExactly("HOME");
        assertThat(e.fsAccess()).isEqualTo(FsAccess.SANDBOX);
        assertThat(e.maxMemoryMb()).isEqualTo(32);
    }

    @Test
    void nothingGrantedMeansNothingEffective() {
        SecurityRequest req = request(FsAccess.SANDBOX, List.of("*"), List.of("HOME"), 64);
        EffectivePermissions e = Permissions.effective(req, Grants.none(), HostPolicy.defaults());
        assertThat(e.fsAccess()).isEqualTo(FsAccess.NONE);
        assertThat(e.netAllowList()).isEmpty();
        assertThat(e.envAllowList()).isEmpty();
    }

    @Test
    void grantBeyondTheRequestGivesNothingExtra() {
        SecurityRequest req = request(FsAccess.NONE, List.of("api.example.com"), List.of(), 64);
        Grants grants = Grants.none().with(Permission.parse("net:*")).with(Permission.parse("env:HOME"))
                .with(Permission.parse("fs:sandbox"));
        EffectivePermissions e = Permissions.effective(req, grants, HostPolicy.defaults());
        assertThat(e.netAllowList()).containsExactly("api.example.com");
        assertThat(e.envAllowList()).isEmpty();
        assertThat(e.fsAccess()).isEqualTo(FsAccess.NONE);
    }

    @Test
    void readOnlyNeedsAGrantedDirectory(@org.junit.jupiter.api.io.TempDir Path dir) {
        SecurityRequest req = request(FsAccess.READ_ONLY, List.of(), List.of(), 64);
        assertThat(Permissions.effective(req, Grants.of(req), HostPolicy.defaults()).fsAccess()).isEqualTo(FsAccess.NONE);
        Grants g = Grants.of(req).with(Permission.parse("fs:read-only:" + dir));
        EffectivePermissions e = Permissions.effective(req, g, HostPolicy.defaults());
        assertThat(e.fsAccess()).isEqualTo(FsAccess.READ_ONLY);
        assertThat(e.fsDirectory()).isEqualTo(dir.toAbsolutePath().normalize());
        HostPolicy noFs = HostPolicy.builder().maxFsAccess(FsAccess.SANDBOX).build();
        assertThat(Permissions.effective(req, g, noFs).fsAccess()).isEqualTo(FsAccess.NONE);
    }

    @Test
    void fuelCeilingAppliesEvenWhenNotRequested() {
        SecurityRequest req = request(FsAccess.NONE, List.of(), List.of(), 64);
        assertThat(Permissions.effective(req, Grants.none(), HostPolicy.builder().maxFuel(500).build()).maxFuel()).isEqualTo(500);
        assertThat(Permissions.effective(req, Grants.none(), HostPolicy.defaults()).maxFuel()).isZero();
    }

    @Test
    void requestBeyondCeilingListsEverythingThatExceeds() {
        SecurityRequest req = new SecurityRequest(FsAccess.READ_ONLY, List.of("api.github.com", "*.evil.org"),
                List.of("HOME"), 512, 120_000, 10_000, 64L << 20);
        HostPolicy ceiling = HostPolicy.builder().maxMemoryMb(128).maxExecutionMs(10_000).maxFuel(1000)
                .maxOutputBytes(1 << 20).allowHosts("*.github.com").maxFsAccess(FsAccess.SANDBOX).build();
        assertThat(Permissions.beyondCeiling(req, ceiling)).containsExactly(
                "max_memory_mb = 512 (ceiling 128)",
                "max_execution_ms = 120000 (ceiling 10000)",
                "max_fuel = 10000 (ceiling 1000)",
                "max_output_bytes = 67108864 (ceiling 1048576)",
                "fs_access = \"read-only\" (ceiling \"sandbox\")",
                "net_allow_list host \"*.evil.org\" (allowed: *.github.com)",
                "env_allow_list variable \"HOME\" (allowed: none)");
        assertThatThrownBy(() -> Permissions.requireWithinCeiling(ToolId.of("dev.kami.x"), req, ceiling))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessageStartingWith("tool dev.kami.x requests more than the host policy allows: max_memory_mb = 512")
                .hasMessageEndingWith("Lower the request in [security] of its tool.toml, or raise the ceiling with HostPolicy.builder()");
    }

    @Test
    void wildcardRequestIsBeyondANarrowCeiling() {
        SecurityRequest req = request(FsAccess.NONE, List.of("*"), List.of(), 16);
        assertThat(Permissions.beyondCeiling(req, HostPolicy.defaults())).isEmpty();
        assertThat(Permissions.beyondCeiling(req, HostPolicy.builder().allowHosts("api.github.com").build()))
                .containsExactly("net_allow_list host \"*\" (allowed: api.github.com)");
        assertThat(Permissions.beyondCeiling(req, HostPolicy.strict())).containsExactly("net_allow_list host \"*\" (allowed: none)");
    }

    @Test
    void environmentIsFilteredToGrantedNames() {
        SecurityRequest req = request(FsAccess.NONE, List.of(), List.of("HOME", "MISSING"), 16);
        EffectivePermissions e = Permissions.effective(req, Grants.of(req), HostPolicy.builder().allowEnv("*").build());
        assertThat(Permissions.environmentFor(e, Map.of("HOME", "/root", "SECRET", "x"))).containsExactly(Map.entry("HOME", "/root"));
    }
}
