package dev.kami.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.manifest.FsAccess;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTypesTest {

    @Test
    void hostPatternsMatch() {
        assertThat(NetPatterns.matches("api.github.com", "API.GitHub.com", 443)).isTrue();
        assertThat(NetPatterns.matches("*.example.org", "a.b.example.org", 80)).isTrue();
        assertThat(NetPatterns.matches("*.example.org", "example.org", 80)).isFalse();
        assertThat(NetPatterns.matches("*.example.org", "evilexample.org", 80)).isFalse();
        assertThat(NetPatterns.matches("*", "anything.io", 1)).isTrue();
        assertThat(NetPatterns.matches("127.0.0.1:8080", "127.0.0.1", 8080)).isTrue();
        assertThat(NetPatterns.matches("127.0.0.1:8080", "127.0.0.1", 8081)).isFalse();
        assertThat(NetPatterns.matches("[::1]", "::1", 80)).isTrue();
        assertThat(NetPatterns.matches("[::1]:9", "::1", 9)).isTrue();
    }

    @Test
    void coverageAndIntersection() {
        assertThat(NetPatterns.covers("*", "*.x.org")).isTrue();
        assertThat(NetPatterns.covers("*.x.org", "a.x.org")).isTrue();
        assertThat(NetPatterns.covers("*.x.org", "*.a.x.org")).isTrue();
        assertThat(NetPatterns.covers("*.x.org", "x.org")).isFalse();
        assertThat(NetPatterns.covers("a.x.org", "*.x.org")).isFalse();
        assertThat(NetPatterns.covers("*.x.org", "a.x.org:8080")).isTrue();
        assertThat(NetPatterns.covers("a.x.org:80", "a.x.org")).isFalse();
        assertThat(NetPatterns.intersect(List.of("*", "b.com"), List.of("a.com", "*.b.com")))
                .containsExactly("a.com", "*.b.com");
        assertThat(NetPatterns.intersect(List.of("*.x.org"), List.of("a.x.org", "y.org"))).containsExactly("a.x.org");
        assertThat(NetPatterns.intersect(List.of(), List.of("*"))).isEmpty();
    }

    @Test
    void patternValidityAndIpLiterals() {
        assertThat(NetPatterns.isValid("*.example.org")).isTrue();
        assertThat(NetPatterns.isValid("10.0.0.1:65535")).isTrue();
        assertThat(NetPatterns.isValid("[fe80::1]:80")).isTrue();
        assertThat(NetPatterns.isValid("http://x.com")).isFalse();
        assertThat(NetPatterns.isValid("x.com:99999")).isFalse();
        assertThat(NetPatterns.isValid("a..b")).isFalse();
        assertThat(NetPatterns.isValid("")).isFalse();
        assertThat(NetPatterns.isIpLiteral("169.254.169.254")).isTrue();
        assertThat(NetPatterns.isIpLiteral("[::1]:80")).isTrue();
        assertThat(NetPatterns.isIpLiteral("localhost")).isFalse();
    }

    @Test
    void permissionsParseAndPrintBack() {
        assertThat(Permission.parse("net:*.example.org")).isEqualTo(new Permission.Net("*.example.org"));
        assertThat(Permission.parse("env:HOME").text()).isEqualTo("env:HOME");
        assertThat(Permission.parse("fs:sandbox")).isEqualTo(new Permission.Fs(FsAccess.SANDBOX, null));
        Permission ro = Permission.parse("fs:read-only:/srv/data/../data");
        assertThat(ro.text()).isEqualTo("fs:read-only:/srv/data");
        assertThatThrownBy(() -> Permission.parse("disk:/"))
                .hasMessage("'disk:/' is not a permission (expected net:HOST, env:NAME, fs:none, fs:sandbox or fs:read-only:DIR)");
        assertThatThrownBy(() -> Permission.parse("fs:read-only"))
                .hasMessage("fs:read-only needs a host directory: 'fs:read-only:/path/to/dir'");
        assertThatThrownBy(() -> Permission.parse("fs:rw")).hasMessageContaining("unknown fs mode 'rw'");
        assertThatThrownBy(() -> Permission.parse("net:http://x")).hasMessageStartingWith("'http://x' is not a host pattern");
        assertThatThrownBy(() -> Permission.parse("env:1A")).hasMessageStartingWith("'1A' is not an environment variable name");
    }

    @Test
    void grantsAddRemoveAndRoundTripAsTexts() {
        Grants g = Grants.none().with(Permission.parse("net:a.com")).with(Permission.parse("net:a.com"))
                .with(Permission.parse("env:HOME")).with(Permission.parse("fs:read-only:/srv"));
        assertThat(g.netAllowList()).containsExactly("a.com");
        assertThat(g.fsDirectory()).isEqualTo(Path.of("/srv"));
        assertThat(Grants.fromTexts(g.texts())).isEqualTo(g);
        Grants less = g.without(Permission.parse("net:a.com")).without(Permission.parse("fs:sandbox"));
        assertThat(less.netAllowList()).isEmpty();
        assertThat(less.fsAccess()).isEqualTo(FsAccess.NONE);
        assertThat(less.texts()).containsExactly("fs:none", "env:HOME");
    }

    @Test
    void hostPolicyValidates() {
        assertThatThrownBy(() -> HostPolicy.builder().requireSignatures("abc").build())
                .hasMessageStartingWith("trusted key 'abc' is not a raw Ed25519 public key in hex");
        assertThatThrownBy(() -> HostPolicy.builder().maxMemoryMb(0)).hasMessage("maxMemoryMb must be positive, got 0");
        assertThatThrownBy(() -> HostPolicy.builder().allowHosts("no way").build())
                .hasMessage("allowed host 'no way' is not a host pattern");
        HostPolicy p = HostPolicy.builder().requireSignatures("AB".repeat(32)).build();
        assertThat(p.trustedKeys()).containsExactly("ab".repeat(32));
        assertThat(p.toBuilder().maxMemoryMb(1).build().trustedKeys()).isEqualTo(p.trustedKeys());
        assertThat(HostPolicy.strict().allowedHosts()).isEmpty();
        assertThat(HostPolicy.defaults().allowedHosts()).containsExactly("*");
    }
}
