package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code $KAMI_HOME/config.toml}: what it sets, and how a mistake in it is reported. */
@Timeout(120)
class CliConfigTest {
    @TempDir
    Path home;

    private KamiRunner.Result withConfig(String toml, int code, String... args) throws Exception {
        Files.writeString(home.resolve("config.toml"), toml);
        return KamiRunner.inProcess(home, args).expect(code);
    }

    @Test
    void setsTheEngineModeAndThePolicy() throws Exception {
        String status = withConfig("[engine]\nmode = \"interpreter\"\n[policy]\nmax_memory_mb = 32\n"
                + "allowed_hosts = [\"api.github.com\"]\nmax_fs_access = \"sandbox\"\n", 0, "status").out();
        assertThat(status).contains("chicory (interpreter, fuel enforced)").contains("memory <= 32 MiB")
                .contains("hosts [api.github.com]").contains("fs <= sandbox").contains("config.toml");
        assertThat(withConfig("[policy]\nallowed_hosts = [\"api.github.com\"]\n", 3, "validate",
                KamiRunner.sample("http-fetch").toString()).err()).contains("dev.kami.http-fetch");
    }

    @Test
    void namesTheKeyOfEveryMistake() throws Exception {
        assertThat(withConfig("[policy]\nrequire_signatures = \"yes\"\n", 2, "list").err())
                .contains("require_signatures must be true or false");
        assertThat(withConfig("[policy]\nrequire_signatures = true\n", 2, "list").err())
                .contains("requireSignatures needs at least one trusted key");
        assertThat(withConfig("[polcy]\n", 2, "list").err()).contains("unknown table [polcy]");
        assertThat(withConfig("[policy]\nmax_fs_access = \"all\"\n", 2, "list").err())
                .contains("max_fs_access = \"all\"");
        assertThat(withConfig("[policy\n", 2, "list").err()).contains("config.toml");
        assertThat(withConfig("[serve]\nclient_share = 2.0\n", 2, "list").err())
                .contains("[serve] client_share = 2.0 (expected more than 0, at most 1)");
        assertThat(withConfig("[serve]\nworkers = 0\n", 2, "list").err()).contains("[serve] workers = 0 (expected 1 to 4096)");
        assertThat(withConfig("[serve]\nthreads = 4\n", 2, "list").err()).contains("unknown key 'threads' in [serve]");
        assertThat(withConfig("[oauth]\nissuer = \"https://a\"\njwks = \"https://a/k\"\n", 2, "list").err())
                .contains("unknown key 'jwks' in [oauth] (known: audience, issuer, jwks_url, resource, scopes)");
        assertThat(withConfig("[oauth.scopes]\n\"tools:echo\" = \"dev_kami_echo\"\n", 2, "list").err())
                .contains("[oauth.scopes] \"tools:echo\" must be a non-empty list of tool-name patterns");
        assertThat(withConfig("[oauth]\nissuer = \"https://a\"\n", 2, "serve", "--transport", "http", "--port", "0")
                .err()).contains("OAuth needs the issuer, the JWKS URL and this server's resource URI; missing:"
                        + " --oauth-jwks-url --oauth-resource");
        assertThat(withConfig("", 2, "serve", "--oauth-issuer", "https://a").err())
                .contains("--oauth-issuer, --oauth-jwks-url, --oauth-resource and --oauth-scope apply to --transport"
                        + " http only");
        assertThat(withConfig("[engine]\nmode = \"jit\"\n", 2, "list").err()).contains("jit")
                .contains("hint: check [engine] and [store]");
    }
}
