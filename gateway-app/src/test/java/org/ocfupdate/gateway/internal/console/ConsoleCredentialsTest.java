package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleCredentialsTest {
    @TempDir
    Path home;

    @Test
    void firstStartGeneratesOwnerOnlyCredentialsAndSaysSoOnce() throws Exception {
        Path folder = home.resolve("data/credentials");
        List<String> printed = new ArrayList<>();
        ConsoleCredentials c = ConsoleCredentials.loadOrGenerate(folder, printed::add);

        assertTrue(c.user().matches("[A-Za-z0-9]{32}") && c.password().matches("[A-Za-z0-9]{32}"), c.toString());
        assertEquals(1, printed.size());
        assertTrue(printed.get(0).contains("user " + c.user() + " password " + c.password()), printed.get(0));
        Path file = folder.resolve("console.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertTrue(Files.readString(file).contains("user=" + c.user() + "\npassword=" + c.password() + "\n"));

        ConsoleCredentials again = ConsoleCredentials.loadOrGenerate(folder, printed::add);
        assertEquals(c, again, "the next start reads them");
        assertEquals(1, printed.size(), "and prints nothing");
        assertFalse(c.toString().contains(c.password()));
    }

    @Test
    void adminAdminAndIncompleteFilesAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new ConsoleCredentials("admin", "admin"));
        Path folder = Files.createDirectories(home.resolve("credentials"));
        Files.writeString(folder.resolve("console.properties"), "user=admin\npassword=admin\n");
        assertThrows(IOException.class, () -> ConsoleCredentials.loadOrGenerate(folder, s -> { }));
        Files.writeString(folder.resolve("console.properties"), "user=operator\n");
        assertThrows(IOException.class, () -> ConsoleCredentials.loadOrGenerate(folder, s -> { }));
    }

    @Test
    void onlyTheExactUserAndPasswordMatch() {
        ConsoleCredentials c = new ConsoleCredentials("operator", "s3cret");
        assertTrue(c.matches("operator", "s3cret"));
        assertFalse(c.matches("operator", "s3cre"));
        assertFalse(c.matches("admin", "admin"));
        assertFalse(c.matches("Operator", "s3cret"));
    }

    @Test
    void basicHeadersAreParsedStrictly() {
        String ok = "Basic " + Base64.getEncoder().encodeToString("op:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("op", "pa:ss"), List.of(ConsoleSecurity.basic(ok)));
        assertNull(ConsoleSecurity.basic(null));
        assertNull(ConsoleSecurity.basic("Bearer x"));
        assertNull(ConsoleSecurity.basic("Basic !!!"));
        assertNull(ConsoleSecurity.basic("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())));
    }
}
