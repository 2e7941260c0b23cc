package dev.kami.cli;

import dev.kami.InstalledTool;
import dev.kami.SignatureCoverage;
import dev.kami.core.pkg.PackageReader;
import dev.kami.core.pkg.ToolPackage;
import dev.kami.core.signing.Ed25519;
import dev.kami.core.signing.ToolSignatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Keys and signatures: keygen, sign, verify. */
final class TrustCommands {
    static final String SECRET_FILE = "secret.key";
    static final String PUBLIC_FILE = "public.key";

    private TrustCommands() {
    }

    static Path keysDir(KamiCli root, Path option) {
        return option != null ? option.toAbsolutePath().normalize() : root.home().resolve("keys");
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Create an Ed25519 key pair: secret.key (mode 0600) and public.key.")
    static final class Keygen implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Option(names = "--keys", paramLabel = "DIR", description = "Where to write the keys (default $KAMI_HOME/keys)")
        Path keys;

        @Override
        public Integer call() throws IOException {
            Path dir = keysDir(root, keys);
            Path secret = dir.resolve(SECRET_FILE);
            if (Files.exists(secret)) {
                throw Exit.refused("a key pair exists already in " + dir + "; keygen never overwrites a secret key",
                        "choose another directory: kami keygen --keys DIR");
            }
            Ed25519.KeyPair kp = Ed25519.generate();
            Ed25519.writeSecretKey(secret, kp.secretKeyHex());
            Files.writeString(dir.resolve(PUBLIC_FILE), kp.publicKeyHex() + "\n", StandardCharsets.UTF_8);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("public_key", kp.publicKeyHex());
            m.put("secret_key_file", secret.toString());
            m.put("public_key_file", dir.resolve(PUBLIC_FILE).toString());
            root.print(m, "public key: " + kp.publicKeyHex() + "\nsecret key: " + secret
                    + " (keep it private)\ntrust it: add it to [policy] trusted_keys in $KAMI_HOME/config.toml");
            return Exit.OK;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Sign a package: its module and its whole manifest (identity, MCP text and schemas,"
                    + " permissions, limits); writes tool.sig next to tool.toml.")
    static final class Sign implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<package-dir>", description = "Package directory")
        Path dir;
        @Option(names = "--keys", paramLabel = "DIR", description = "Where secret.key is (default $KAMI_HOME/keys)")
        Path keys;
        @Option(names = "--key", paramLabel = "FILE", description = "The secret key file (overrides --keys)")
        Path keyFile;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(dir)) {
                throw Exit.notFound("package directory " + dir + " does not exist", "give the directory holding"
                        + " tool.toml");
            }
            Path secretFile = keyFile != null ? keyFile : keysDir(root, keys).resolve(SECRET_FILE);
            if (!Files.isRegularFile(secretFile)) {
                throw Exit.notFound("no secret key at " + secretFile, "create one with 'kami keygen'"
                        + (keys == null && keyFile == null ? "" : " --keys DIR"));
            }
            String secret = Ed25519.readSecretKey(secretFile);
            String pub = Ed25519.publicKeyOf(secret);
            ToolPackage pkg = new PackageReader().read(dir);
            String sig = ToolSignatures.signPackage(secret, pkg.module(), pkg.manifest());
            Path out = dir.resolve(PackageReader.SIGNATURE_FILE);
            Files.writeString(out, "# written by kami sign: covers the module (sha256 " + pkg.sha256()
                    + ") and the whole tool.toml ([tool], [mcp], [security]); changing any of them breaks it\n"
                    + "signature = \"" + sig + "\"\npublic_key = \"" + pub + "\"\n", StandardCharsets.UTF_8);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", pkg.manifest().id().value());
            m.put("signature_file", out.toString());
            m.put("signature", sig);
            m.put("public_key", pub);
            m.put("wasm_sha256", pkg.sha256());
            root.print(m, "signed " + pkg.manifest().id() + " " + pkg.manifest().version() + " with key " + pub
                    + "\nwrote " + out);
            return Exit.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check an installed tool: its module's SHA-256 against the recorded one, and its signature.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<id>", description = "Tool id or MCP name")
        String id;

        @Override
        public Integer call() {
            InstalledTool t = root.kami().verify(id);
            SignatureCoverage coverage = root.kami().signatureCoverage(id);
            var r = t.record();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id().value());
            m.put("wasm_sha256", r.moduleSha256());
            m.put("integrity", "ok");
            m.put("signed", r.signed());
            m.put("signer_public_key", r.signerKey());
            m.put("covers", coverage.name().toLowerCase(java.util.Locale.ROOT));
            m.put("trusted", r.signed() && root.kami().policy().trustedKeys().contains(r.signerKey()));
            String covers = switch (coverage) {
                case PACKAGE -> "; covers the whole package";
                case MODULE_AND_PERMISSIONS -> "; covers the module and [security] only (re-sign with 'kami sign')";
                case MODULE_ONLY -> "; module-only: covers the module alone (re-sign with 'kami sign')";
                case UNSIGNED -> "";
            };
            String sig = r.signed() ? "signature verified with key " + r.signerKey()
                    + (root.kami().policy().trustedKeys().contains(r.signerKey()) ? " (trusted)" : " (not in"
                            + " trusted_keys)") + covers
                    : "unsigned (integrity checked; sign it with 'kami sign')";
            root.print(m, t.id() + " " + r.version() + ": module sha256 " + r.moduleSha256() + " ok\n" + sig);
            return Exit.OK;
        }
    }
}
