package dev.kami.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ManifestException;
import dev.kami.manifest.Abi;
import dev.kami.manifest.ArgumentType;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.ToolManifest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestParserTest {

    private static final String HEAD = """
            [tool]
            id = "dev.kami.echo"
            name = "echo"
            version = "1.0.0"
            wasm = "echo.wasm"

            [mcp]
            description = "Echoes"
            """;

    static Stream<Path> originals() throws IOException, URISyntaxException {
        Path dir = Path.of(ManifestParserTest.class.getResource("/original-manifests").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".tool.toml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("originals")
    void everyOriginalManifestParsesUnchanged(Path file) {
        ToolManifest m = ManifestParser.parseFile(file).manifest();
        assertThat(m.id().value()).startsWith("dev.kami.");
        assertThat(m.description()).isNotBlank();
        assertThat(m.arguments()).isNotEmpty();
        assertThat(m.effectiveInputSchema()).startsWith("{\"type\":\"object\"");
    }

    @ParameterizedTest
    @MethodSource("originals")
    void anOriginalManifestHasNoBuildCommand(Path file) {
        assertThat(ManifestParser.parseFile(file).buildCommand()).isNull();
    }

    @Test
    void aBuildTableGivesTheCommandKamiBuildRuns() {
        ManifestParser.ParsedManifest m = ManifestParser.parse(HEAD + """
                [build]
                command = "wat2wasm tool.wat -o echo.wasm"
                """, "tool.toml");
        assertThat(m.buildCommand()).isEqualTo("wat2wasm tool.wat -o echo.wasm");
        assertThat(m.manifest().id().value()).isEqualTo("dev.kami.echo");
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "[build]\ncomand = \"make\"\n", "tool.toml"))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("key 'build.comand': is not a known key; did you mean 'command'?");
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "[build]\n", "tool.toml"))
                .hasMessageContaining("build.command").hasMessageContaining("is required but missing");
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "[build]\ncommand = \" \"\n", "tool.toml"))
                .hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "[build]\ncommand = 1\n", "tool.toml"))
                .hasMessageContaining("expected a string");
        assertThat(ManifestParser.knownKeys().get("build")).containsExactly("command");
    }

    @Test
    void aManifestWithoutDescriptionParsesWhenItsModuleMayDescribeItself() {
        // no abi (detected at install) or abi = "component": the core takes a component's describe()
        ToolManifest detected = ManifestParser.parse(HEAD.replace("description = \"Echoes\"", ""), "tool.toml")
                .manifest();
        assertThat(detected.description()).isEmpty();
        ToolManifest component = ManifestParser.parse(HEAD.replace("description = \"Echoes\"", "")
                .replace("wasm = \"echo.wasm\"", "wasm = \"echo.wasm\"\nabi = \"component\""), "tool.toml").manifest();
        assertThat(component.description()).isEmpty();
        assertThat(component.abi()).isEqualTo(Abi.COMPONENT);
    }

    @Test
    void originalHttpFetchKeepsItsWildcardHostAndOptionalArgument() throws Exception {
        Path file = Path.of(getClass().getResource("/original-manifests/http-fetch.tool.toml").toURI());
        ToolManifest m = ManifestParser.parseFile(file).manifest();
        assertThat(m.security().netAllowList()).containsExactly("*");
        assertThat(m.security().maxMemoryMb()).isEqualTo(32);
        assertThat(m.arguments()).extracting(a -> a.name() + ":" + a.type() + ":" + a.required())
                .containsExactly("url:STRING:true", "max_bytes:NUMBER:false");
        assertThat(m.effectiveInputSchema()).contains("\"required\":[\"url\"]");
    }

    @Test
    void fullManifestParsesEveryKey() {
        ToolManifest m = parse("""
                [tool]
                id = "dev.kami.fetch"
                name = "fetch"
                version = "1.2.0-rc.1+b5"
                wasm = "lib/fetch.wasm"
                abi = "kami-v1"
                title = "Fetch a URL"

                [mcp]
                description = "Fetches"
                input_schema = '''{"type":"object","properties":{"url":{"type":"string"}},"required":["url"]}'''
                output_schema = '''{"type":"object"}'''
                [mcp.annotations]
                read_only = true
                destructive = false
                idempotent = true
                open_world = true

                [security]
                fs_access = "sandbox"
                net_allow_list = ["example.com", "*.example.org"]
                env_allow_list = ["HOME"]
                max_memory_mb = 32
                max_execution_ms = 2000
                max_fuel = 1000000
                max_output_bytes = 4096
                """);
        assertThat(m.abi()).isEqualTo(Abi.KAMI_V1);
        assertThat(m.version().preRelease()).isEqualTo("rc.1");
        assertThat(m.title()).isEqualTo("Fetch a URL");
        assertThat(m.inputSchema()).contains("\"required\":[\"url\"]");
        assertThat(m.effectiveInputSchema()).isEqualTo(m.inputSchema());
        assertThat(m.outputSchema()).isEqualTo("{\"type\":\"object\"}");
        assertThat(m.annotations().readOnly()).isTrue();
        assertThat(m.annotations().destructive()).isFalse();
        assertThat(m.security().fsAccess()).isEqualTo(FsAccess.SANDBOX);
        assertThat(m.security().netAllowList()).containsExactly("example.com", "*.example.org");
        assertThat(m.security().maxFuel()).isEqualTo(1_000_000);
        assertThat(m.security().maxOutputBytes()).isEqualTo(4096);
    }

    @Test
    void absentSecurityMeansDenyAllWithDefaults() {
        ToolManifest m = parse(HEAD);
        assertThat(m.security().fsAccess()).isEqualTo(FsAccess.NONE);
        assertThat(m.security().netAllowList()).isEmpty();
        assertThat(m.security().maxMemoryMb()).isEqualTo(64);
        assertThat(m.security().maxExecutionMs()).isEqualTo(5000);
        assertThat(m.security().maxOutputBytes()).isEqualTo(1024 * 1024);
        assertThat(m.effectiveInputSchema()).isEqualTo("{\"type\":\"object\",\"additionalProperties\":false}");
    }

    @Test
    void flatArgumentsBecomeASchemaWithDescriptionsAndRequired() {
        ToolManifest m = parse(HEAD + """
                [[mcp.arguments]]
                name = "text"
                type = "string"
                description = "The \\"text\\""
                required = true
                [[mcp.arguments]]
                name = "n"
                type = "integer"
                """);
        assertThat(m.arguments()).extracting(a -> a.type()).containsExactly(ArgumentType.STRING, ArgumentType.INTEGER);
        assertThat(m.effectiveInputSchema()).isEqualTo("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":"
                + "\"string\",\"description\":\"The \\\"text\\\"\"},\"n\":{\"type\":\"integer\"}},\"required\":[\"text\"]}");
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("not toml", "[tool\nid=", "tool.toml:1: is not valid TOML"),
                Arguments.of("missing [tool]", "[mcp]\ndescription = \"x\"\n",
                        "tool.toml: key 'tool': the [tool] table is missing; every tool.toml needs [tool] and [mcp]"),
                Arguments.of("missing [mcp]", "[tool]\nid = \"dev.kami.echo\"\nname = \"e\"\nversion = \"1.0.0\"\nwasm = \"e.wasm\"\n",
                        "key 'mcp': the [mcp] table is missing"),
                Arguments.of("missing id", HEAD.replace("id = \"dev.kami.echo\"\n", ""),
                        "tool.toml: key 'tool.id': is required but missing; add id = \"...\" to [tool]"),
                Arguments.of("bad id", HEAD.replace("dev.kami.echo", "Echo"),
                        "tool.toml:2: key 'tool.id': tool id 'Echo' is not reverse-DNS lowercase (expected e.g. 'dev.kami.echo'"),
                Arguments.of("id too long", HEAD.replace("dev.kami.echo", "dev." + "a".repeat(130)),
                        "key 'tool.id': tool id 'dev.aaaa"),
                Arguments.of("blank name", HEAD.replace("name = \"echo\"", "name = \" \""),
                        "tool.toml:3: key 'tool.name': must not be blank"),
                Arguments.of("bad version", HEAD.replace("1.0.0", "1.0"),
                        "tool.toml:4: key 'tool.version': version '1.0' is not SemVer 2.0 (expected MAJOR.MINOR.PATCH"),
                Arguments.of("absolute wasm", HEAD.replace("\"echo.wasm\"", "\"/etc/passwd\""),
                        "tool.toml:5: key 'tool.wasm': '/etc/passwd' is absolute; expected a relative path inside the package"),
                Arguments.of("dotdot wasm", HEAD.replace("\"echo.wasm\"", "\"../x.wasm\""),
                        "key 'tool.wasm': '../x.wasm' contains '..'"),
                Arguments.of("backslash wasm", HEAD.replace("\"echo.wasm\"", "\"a\\\\b.wasm\""),
                        "key 'tool.wasm': 'a\\b.wasm' contains '\\'"),
                Arguments.of("wasm not a string", HEAD.replace("\"echo.wasm\"", "3"),
                        "tool.toml:5: key 'tool.wasm': expected a string, got the number 3"),
                Arguments.of("bad abi", HEAD.replace("wasm = \"echo.wasm\"", "wasm = \"echo.wasm\"\nabi = \"wasip2\""),
                        "key 'tool.abi': 'wasip2' is not an ABI; expected one of \"kami-v1\", \"wasi-command\", \"extism\", \"component\""),
                Arguments.of("unknown tool key", HEAD.replace("name = \"echo\"", "name = \"echo\"\nverison = \"1\""),
                        "tool.toml:4: key 'tool.verison': is not a known key; did you mean 'version'?"),
                Arguments.of("unknown top-level", HEAD + "[securty]\nfs_access = \"none\"\n",
                        "key 'securty': is not a known key; did you mean 'security'?"),
                Arguments.of("unknown security key", HEAD + "[security]\nmax_memory = 3\n",
                        "key 'security.max_memory': is not a known key; did you mean 'max_memory_mb'?"),
                Arguments.of("unknown key far from all", HEAD + "[security]\nzzzzzzzz = 3\n",
                        "key 'security.zzzzzzzz': is not a known key; known keys here: env_allow_list"),
                Arguments.of("missing description", HEAD.replace("description = \"Echoes\"", "title = \"x\""),
                        "key 'mcp.title': is not a known key"),
                Arguments.of("missing description of a declared core module",
                        HEAD.replace("description = \"Echoes\"", "").replace("wasm = \"echo.wasm\"",
                                "wasm = \"echo.wasm\"\nabi = \"kami-v1\""),
                        "key 'mcp.description': is required but missing; add description = \"...\" to [mcp]"),
                Arguments.of("bad argument type", HEAD + "[[mcp.arguments]]\nname = \"a\"\ntype = \"str\"\n",
                        "key 'mcp.arguments[0].type': 'str' is not a type; expected one of string, number, integer, boolean, object, array; did you mean 'string'?"),
                Arguments.of("argument without name", HEAD + "[[mcp.arguments]]\ntype = \"string\"\n",
                        "key 'mcp.arguments[0].name': is required but missing"),
                Arguments.of("duplicate argument", HEAD + "[[mcp.arguments]]\nname = \"a\"\ntype = \"string\"\n[[mcp.arguments]]\nname = \"a\"\ntype = \"string\"\n",
                        "key 'mcp.arguments[1].name': 'a' is given twice; argument names must be unique"),
                Arguments.of("required not boolean", HEAD + "[[mcp.arguments]]\nname = \"a\"\ntype = \"string\"\nrequired = \"yes\"\n",
                        "key 'mcp.arguments[0].required': expected true or false, got the string \"yes\""),
                Arguments.of("unknown argument key", HEAD + "[[mcp.arguments]]\nname = \"a\"\ntype = \"string\"\nrequird = true\n",
                        "key 'mcp.arguments[0].requird': is not a known key; did you mean 'required'?"),
                Arguments.of("schema not json", HEAD + "input_schema = '{nope'\n",
                        "key 'mcp.input_schema': is not valid JSON"),
                Arguments.of("schema not object type", HEAD + "input_schema = '{\"type\":\"string\"}'\n",
                        "key 'mcp.input_schema': must have \"type\": \"object\" at its root"),
                Arguments.of("schema and arguments", HEAD + "input_schema = '{\"type\":\"object\"}'\n[[mcp.arguments]]\nname = \"a\"\ntype = \"string\"\n",
                        "key 'mcp.input_schema': cannot be given together with [[mcp.arguments]]"),
                Arguments.of("bad fs access", HEAD + "[security]\nfs_access = \"rw\"\n",
                        "key 'security.fs_access': 'rw' is not an access mode; expected \"none\", \"read-only\" or \"sandbox\""),
                Arguments.of("bad host", HEAD + "[security]\nnet_allow_list = [\"http://x.com\"]\n",
                        "key 'security.net_allow_list': 'http://x.com' is not a host pattern"),
                Arguments.of("net not array", HEAD + "[security]\nnet_allow_list = \"x.com\"\n",
                        "key 'security.net_allow_list': expected an array of strings such as [\"a\", \"b\"], got the string \"x.com\""),
                Arguments.of("net item not string", HEAD + "[security]\nnet_allow_list = [1]\n",
                        "key 'security.net_allow_list': expected strings only; item 0 is the number 1"),
                Arguments.of("bad env", HEAD + "[security]\nenv_allow_list = [\"A-B\"]\n",
                        "key 'security.env_allow_list': 'A-B' is not an environment variable name"),
                Arguments.of("memory zero", HEAD + "[security]\nmax_memory_mb = 0\n",
                        "key 'security.max_memory_mb': 0 is out of range; expected 1 to 4096"),
                Arguments.of("memory too big", HEAD + "[security]\nmax_memory_mb = 5000\n",
                        "key 'security.max_memory_mb': 5000 is out of range; expected 1 to 4096"),
                Arguments.of("memory not number", HEAD + "[security]\nmax_memory_mb = \"64\"\n",
                        "key 'security.max_memory_mb': expected a whole number, got the string \"64\""),
                Arguments.of("negative time", HEAD + "[security]\nmax_execution_ms = -1\n",
                        "key 'security.max_execution_ms': -1 is out of range; expected 1 to 3600000"),
                Arguments.of("zero fuel", HEAD + "[security]\nmax_fuel = 0\n",
                        "key 'security.max_fuel': 0 is out of range"),
                Arguments.of("zero output", HEAD + "[security]\nmax_output_bytes = 0\n",
                        "key 'security.max_output_bytes': 0 is out of range"),
                Arguments.of("security not a table", HEAD.replace("[tool]", "security = 3\n[tool]"),
                        "key 'security': expected a table ([security]), got the number 3"),
                Arguments.of("bad annotation", HEAD + "[mcp.annotations]\nread_only = \"yes\"\n",
                        "key 'mcp.annotations.read_only': expected true or false"),
                Arguments.of("unknown annotation", HEAD + "[mcp.annotations]\nreadonly = true\n",
                        "key 'mcp.annotations.readonly': is not a known key; did you mean 'read_only'?"),
                Arguments.of("bad digest", HEAD.replace("wasm = \"echo.wasm\"", "wasm = \"echo.wasm\"\nwasm_sha256 = \"abc\""),
                        "key 'tool.wasm_sha256': 'abc' is not a SHA-256; expected 64 hex characters"),
                Arguments.of("signature without key", HEAD.replace("wasm = \"echo.wasm\"", "wasm = \"echo.wasm\"\nsignature = \"ab\""),
                        "key 'tool.signer_public_key': signature and signer_public_key go together"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithFileKeyLineAndWhatWasExpected(String name, String toml, String message) {
        assertThatThrownBy(() -> ManifestParser.parse(toml, "tool.toml"))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining(message);
    }

    @Test
    void exceptionCarriesItsPartsForRendering() {
        ManifestException e = org.junit.jupiter.api.Assertions.assertThrows(ManifestException.class,
                () -> ManifestParser.parse(HEAD.replace("1.0.0", "x"), "pkg/tool.toml"));
        assertThat(e.file()).isEqualTo("pkg/tool.toml");
        assertThat(e.key()).isEqualTo("tool.version");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.getMessage()).startsWith("pkg/tool.toml:4: key 'tool.version': ");
    }

    @Test
    void refusesNonUtf8AndOversizedFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ManifestParser.parse(new byte[] {(byte) 0xff, (byte) 0xfe}, "t.toml"))
                .hasMessage("t.toml: is not valid UTF-8; save it as UTF-8");
        Path big = dir.resolve("tool.toml");
        Files.writeString(big, "#" + "x".repeat(ManifestParser.MAX_MANIFEST_BYTES), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ManifestParser.parseFile(big))
                .hasMessageContaining("a tool.toml may have at most 262144");
        assertThatThrownBy(() -> ManifestParser.parseFile(dir.resolve("missing.toml")))
                .hasMessageContaining("missing.toml: cannot be read");
    }

    @Test
    void suggestsOnlyCloseKeys() {
        assertThat(ManifestParser.suggestion("verison", java.util.Set.of("version", "name"))).isEqualTo("; did you mean 'version'?");
        assertThat(ManifestParser.suggestion("qqqqqq", java.util.Set.of("version", "name"))).isEmpty();
        assertThat(ManifestParser.levenshtein("kitten", "sitting")).isEqualTo(3);
        assertThat(ManifestParser.knownKeys()).containsKeys("tool", "mcp", "security");
        assertThat(List.of(1)).hasSize(1);
    }

    private static ToolManifest parse(String toml) {
        return ManifestParser.parse(toml, "tool.toml").manifest();
    }

    @Test
    void skipToolsIsAnArrayOfStringsReadBackForThePluginsTools() {
        String ok = HEAD + "skip_tools = [\"http\", \"debug\"]\n";
        ManifestParser.parse(ok, "tool.toml");
        assertThat(ManifestParser.skipTools(ok)).containsExactly("http", "debug");
        assertThat(ManifestParser.skipTools(HEAD)).isEmpty();
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "skip_tools = \"http\"\n", "tool.toml"))
                .hasMessageContaining("key 'mcp.skip_tools': expected an array of strings such as [\"a\", \"b\"], got");
        assertThatThrownBy(() -> ManifestParser.parse(HEAD + "skip_tools = [\"http\", 3]\n", "tool.toml"))
                .hasMessageContaining("key 'mcp.skip_tools': expected strings only; item 1 is");
    }
}
