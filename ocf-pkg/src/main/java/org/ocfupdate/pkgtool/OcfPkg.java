package org.ocfupdate.pkgtool;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import org.ocfupdate.gateway.support.Keys;
import org.ocfupdate.update.engine.internal.pkg.Manifest;
import org.ocfupdate.update.engine.internal.pkg.PackageException;
import org.ocfupdate.update.engine.internal.pkg.PackageVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The vendor's package tool {@code ocf-pkg} (docs/operator-contract.md, Commands): {@code keygen}, {@code create} and
 * {@code verify} of update packages. Exit codes: 0 done, 1 failed (one line on stderr), 2 usage error. Outside
 * OSGi it runs from this module's {@code ocf-pkg.jar} (shipped by the Debian package) with Jackson. It is not in any
 * runtime bundle; it reads, signs and verifies packages with the gateway's own code ({@code pstat-impl}'s {@code pkg}
 * package, shaded into the jar), so a package it accepts is one the gateway accepts.
 */
public final class OcfPkg {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_KEYGEN = "ocf-pkg keygen --private FILE --public FILE [--algorithm ec|ed25519]\n"
            + "    write a new key pair as PEM: the private key (PKCS#8, owner-only) and the public key (X.509);\n"
            + "    ec = ECDSA P-256 (the default); existing files are not overwritten\n";
    private static final String USAGE_CREATE = "ocf-pkg create --key FILE --version SEMVER --out FILE [--name NAME]"
            + " (--bundle JAR | --file PATH)...\n"
            + "    build a signed update package: manifest.json, manifest.json.sig, bundles/<jar>, files/<file>;\n"
            + "    --key: a private key as PKCS#8 PEM or SEC1 'EC PRIVATE KEY' PEM (openssl ecparam -genkey);\n"
            + "    --name defaults to the base name of --out\n";
    private static final String USAGE_VERIFY = "ocf-pkg verify --key FILE PACKAGE\n"
            + "    check PACKAGE's signature against the PEM public key FILE and every artifact's size and SHA-256\n";
    private static final String HELP = "usage: ocf-pkg SUBCOMMAND [OPTIONS]"
            + "   (ocf-pkg = java -jar ocf-pkg/target/ocf-pkg.jar)\n"
            + "  " + USAGE_KEYGEN + "  " + USAGE_CREATE + "  " + USAGE_VERIFY
            + "SUBCOMMAND --help prints its usage.\n"
            + "exit status: 0 done (verify: valid), 1 failed (verify: not valid), 2 usage error\n";
    private static final Map<String, String> USAGES = Map.of("keygen", USAGE_KEYGEN, "create", USAGE_CREATE,
            "verify", USAGE_VERIFY);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OcfPkg() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; never throws and never exits. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(HELP);
            return USAGE;
        }
        if (args[0].equals("--help") || args[0].equals("-h")) {
            out.print(HELP);
            return OK;
        }
        String command = args[0];
        String usage = USAGES.get(command);
        if (usage == null) {
            err.println("ocf-pkg: unknown sub-command '" + command + "'");
            err.print(HELP);
            return USAGE;
        }
        List<String> rest = List.of(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print("usage: " + usage);
            return OK;
        }
        try {
            return switch (command) {
                case "keygen" -> keygen(new Options(rest, Set.of("--private", "--public", "--algorithm"), Set.of()),
                        out);
                case "create" -> create(new Options(rest, Set.of("--key", "--version", "--out", "--name"),
                        Set.of("--bundle", "--file")), out);
                default -> verify(new Options(rest, Set.of("--key"), Set.of()), out);
            };
        } catch (UsageException e) {
            err.println("ocf-pkg: " + e.getMessage());
            err.print("usage: " + usage);
            return USAGE;
        } catch (NoSuchFileException e) {
            err.println("ocf-pkg: no such file: " + e.getFile());
            return FAILED;
        } catch (AccessDeniedException e) {
            err.println("ocf-pkg: permission denied: " + e.getFile());
            return FAILED;
        } catch (Exception e) { // I/O, crypto, a refused package, a malformed key: one line, no stack trace
            err.println("ocf-pkg: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return FAILED;
        }
    }

    private static int keygen(Options o, PrintStream out) throws UsageException, IOException, GeneralSecurityException {
        o.noPositional();
        Path privateFile = Path.of(o.required("--private"));
        Path publicFile = Path.of(o.required("--public"));
        String algorithm = o.optional("--algorithm", "ec");
        if (!algorithm.equals("ec") && !algorithm.equals("ed25519")) {
            throw new UsageException("--algorithm must be ec or ed25519, not '" + algorithm + "'");
        }
        if (privateFile.toAbsolutePath().normalize().equals(publicFile.toAbsolutePath().normalize())) {
            throw new UsageException("--private and --public name the same file");
        }
        for (Path p : List.of(privateFile, publicFile)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(p + " already exists; not overwriting it");
            }
        }
        KeyPair pair;
        if (algorithm.equals("ec")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            pair = g.generateKeyPair();
        } else {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        createNew(privateFile, true, Keys.toPem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try {
            createNew(publicFile, false, Keys.toPem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (IOException e) {
            Files.deleteIfExists(privateFile); // no private key without its public key
            throw e;
        }
        out.println("wrote " + (algorithm.equals("ec") ? "ECDSA P-256" : "Ed25519") + " private key " + privateFile
                + " (owner-only) and public key " + publicFile);
        return OK;
    }

    /** Creates {@code file} (never replacing one), owner-only when {@code secret}, then writes {@code text}. */
    private static void createNew(Path file, boolean secret, String text) throws IOException {
        try {
            if (secret) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file); // not a POSIX file system
                }
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists; not overwriting it");
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private record Input(Path source, String path, String type) {
    }

    private static int create(Options o, PrintStream out) throws UsageException, IOException, GeneralSecurityException,
            PackageException {
        o.noPositional();
        Path keyFile = Path.of(o.required("--key"));
        String version = o.required("--version");
        Path outFile = Path.of(o.required("--out"));
        if (outFile.getFileName() == null) {
            throw new UsageException("--out must name a file");
        }
        String fileName = outFile.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String name = o.optional("--name", dot > 0 ? fileName.substring(0, dot) : fileName);
        List<Input> inputs = new ArrayList<>();
        for (Map.Entry<String, String> a : o.multi) {
            boolean bundle = a.getKey().equals("--bundle");
            Path source = Path.of(a.getValue());
            Path sourceName = source.getFileName();
            inputs.add(new Input(source, (bundle ? "bundles/" : "files/") + (sourceName == null ? "" : sourceName),
                    bundle ? "bundle" : "file"));
        }
        if (inputs.isEmpty()) {
            throw new UsageException("at least one --bundle or --file is needed");
        }
        try {
            SemanticVersion.parse(version);
        } catch (IllegalArgumentException e) {
            throw new IOException("--version: " + e.getMessage());
        }
        PrivateKey key = Keys.readPrivate(keyFile);
        Path dir = outFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException("no such folder: " + dir);
        }

        Set<String> paths = new LinkedHashSet<>();
        List<Map<String, Object>> artifacts = new ArrayList<>();
        for (Input in : inputs) {
            if (!Files.isRegularFile(in.source)) {
                throw Files.exists(in.source) ? new IOException(in.source + " is not a regular file")
                        : new NoSuchFileException(in.source.toString());
            }
            if (!paths.add(in.path)) {
                throw new IOException("two artifacts would be stored as " + in.path + " (" + in.source
                        + "): file names must differ");
            }
            if (in.type.equals("bundle")) {
                checkBundle(in.source);
            }
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("path", in.path);
            a.put("sha256", sha256(in.source));
            a.put("size", Files.size(in.source));
            a.put("type", in.type);
            artifacts.add(a);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", name);
        manifest.put("version", version);
        manifest.put("artifacts", artifacts);
        byte[] manifestBytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Manifest.parse(manifestBytes); // what the gateway will check: paths, version, digests
        byte[] signature = Keys.sign(key, manifestBytes);

        // next to the package, so that the final rename is atomic: a failure never leaves a half-written package
        Path temp = dir.resolve("." + fileName + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                entry(zip, Manifest.FILE, manifestBytes);
                entry(zip, Manifest.SIGNATURE, signature);
                for (Input in : inputs) {
                    zip.putNextEntry(new ZipEntry(in.path));
                    Files.copy(in.source, zip);
                    zip.closeEntry();
                }
            }
            Files.move(temp, outFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        out.println("created " + outFile + ": " + name + " " + version + ", " + inputs.size() + " artifact"
                + (inputs.size() == 1 ? "" : "s"));
        return OK;
    }

    private static void checkBundle(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            java.util.jar.Manifest m = file.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                throw new IOException(jar + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
            }
        } catch (ZipException e) {
            throw new IOException(jar + " is not a JAR (" + e.getMessage() + ")");
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha = PackageVerifier.sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static int verify(Options o, PrintStream out) throws UsageException, IOException, GeneralSecurityException,
            PackageException {
        if (o.positional.size() != 1) {
            throw new UsageException(o.positional.isEmpty() ? "missing PACKAGE"
                    : "unexpected argument " + o.positional.get(1));
        }
        Path pkg = Path.of(o.positional.get(0));
        Path keyFile = Path.of(o.required("--key"));
        var key = Keys.readPublic(keyFile);
        if (!Files.isRegularFile(pkg)) {
            throw Files.exists(pkg) ? new IOException(pkg + " is not a regular file")
                    : new NoSuchFileException(pkg.toString());
        }
        Manifest m = PackageVerifier.verify(pkg, List.of(key), null).manifest();
        int n = m.artifacts().size();
        out.println("valid: " + m.name() + " " + m.version() + ", " + n + " artifact" + (n == 1 ? "" : "s")
                + ", signed by " + keyFile);
        return OK;
    }

    /** A wrong command line: exit 2 with the usage. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} or {@code --name=value}: single options at most once, multi options in order. */
    private static final class Options {
        final Map<String, String> single = new HashMap<>();
        final List<Map.Entry<String, String>> multi = new ArrayList<>();
        final List<String> positional = new ArrayList<>();

        Options(List<String> args, Set<String> singles, Set<String> multis) throws UsageException {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("-") || arg.equals("-")) {
                    positional.add(arg);
                    continue;
                }
                int eq = arg.indexOf('=');
                String option = eq > 0 ? arg.substring(0, eq) : arg;
                if (!singles.contains(option) && !multis.contains(option)) {
                    throw new UsageException("unknown option " + option);
                }
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("option " + option + " needs a value");
                }
                if (value.isEmpty()) {
                    throw new UsageException("option " + option + " needs a value");
                }
                if (multis.contains(option)) {
                    multi.add(Map.entry(option, value));
                } else if (single.putIfAbsent(option, value) != null) {
                    throw new UsageException("option " + option + " given twice");
                }
            }
        }

        String required(String option) throws UsageException {
            String value = single.get(option);
            if (value == null) {
                throw new UsageException("missing option " + option);
            }
            return value;
        }

        String optional(String option, String fallback) {
            return single.getOrDefault(option, fallback);
        }

        void noPositional() throws UsageException {
            if (!positional.isEmpty()) {
                throw new UsageException("unexpected argument " + positional.get(0));
            }
        }
    }
}
