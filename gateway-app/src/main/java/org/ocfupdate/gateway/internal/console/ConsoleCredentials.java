package org.ocfupdate.gateway.internal.console;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * The Web Console's user and password (docs/operator-contract.md, Generated secrets): read from
 * {@code data/credentials/console.properties}, or generated there on first start (32 random characters of
 * {@code [A-Za-z0-9]} each, so no properties escaping; the folder 0700, the file 0600) and printed once.
 */
record ConsoleCredentials(String user, String password) {
    static final String FILE = "console.properties";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    ConsoleCredentials {
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the console needs a user and a password");
        }
        if (user.contains(":")) {
            throw new IllegalArgumentException("a Basic-authentication user cannot contain ':'");
        }
        if (user.equals("admin") && password.equals("admin")) {
            throw new IllegalArgumentException("admin/admin is refused: it is the Web Console's well-known default");
        }
    }

    /** Reads the file in {@code folder}, or generates it; {@code generated} hears of new credentials once. */
    static ConsoleCredentials loadOrGenerate(Path folder, java.util.function.Consumer<String> generated)
            throws IOException {
        Path file = folder.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            try {
                return new ConsoleCredentials(p.getProperty("user"), p.getProperty("password"));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        ConsoleCredentials c = new ConsoleCredentials(random(32), random(32));
        ownerOnlyFolder(folder);
        Path tmp = folder.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        // created with owner-only permissions from the start: the secret is never readable by others
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, "# Web Console (HTTP Basic) credentials, generated on first start\nuser=" + c.user()
                + "\npassword=" + c.password() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        generated.accept("Web Console credentials generated (printed only this once, kept in " + file + "): user "
                + c.user() + " password " + c.password());
        return c;
    }

    static void ownerOnlyFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    }

    /** Compares in constant time, so that timing tells nothing of how much of a guess was right. */
    boolean matches(String u, String p) {
        boolean userOk = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8), u.getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                p.getBytes(StandardCharsets.UTF_8));
        return userOk & passwordOk;
    }

    static String random(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "ConsoleCredentials[user=" + user + "]"; // never the password, should it reach a log
    }
}
