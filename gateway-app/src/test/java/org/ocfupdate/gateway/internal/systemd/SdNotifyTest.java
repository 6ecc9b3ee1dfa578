package org.ocfupdate.gateway.internal.systemd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;

/** sd_notify's datagrams, received by a real Unix datagram socket (Python's, as Java 17 has none). */
class SdNotifyTest {
    @TempDir
    Path dir;

    @Test
    void datagramsReachTheSocketOneMessageEach() throws Exception {
        Path socket = dir.resolve("notify.sock");
        Process listener = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                print("ready", flush=True)
                for _ in range(2):
                    print(s.recv(4096).decode().replace("\\n", "|"), flush=True)
                """, socket.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            SdNotify sd = new SdNotify(socket.toString(), Native.load(Platform.C_LIBRARY_NAME, SdNotify.LibC.class));
            assertTrue(sd.send("READY=1\nSTATUS=idle"));
            assertTrue(sd.send("WATCHDOG=1"));
            assertEquals("READY=1|STATUS=idle", out.readLine());
            assertEquals("WATCHDOG=1", out.readLine());
        } finally {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingSocketIsAFailureNotAnException() {
        SdNotify sd = new SdNotify(dir.resolve("none.sock").toString(),
                Native.load(Platform.C_LIBRARY_NAME, SdNotify.LibC.class));
        assertFalse(sd.send("READY=1"));
    }

    @Test
    void addresses() {
        byte[] path = SdNotify.address("/run/x");
        assertEquals(2 + 6 + 1, path.length, "family, path, NUL");
        assertEquals('/', path[2]);
        assertEquals(0, path[path.length - 1]);
        byte[] abstractName = SdNotify.address("@x/y");
        assertArrayEquals(new byte[] {0, 'x', '/', 'y'}, java.util.Arrays.copyOfRange(abstractName, 2, 6));
        assertEquals(6, abstractName.length, "no trailing NUL: an abstract name is as long as given");
        assertThrows(IllegalArgumentException.class, () -> SdNotify.address("relative"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.address("/" + "a".repeat(107)));
    }

    @Test
    void statusTexts() {
        assertEquals("idle", SystemdNotifier.statusText(status(UpdateState.IDLE, "1.2.0", 0, -1)));
        assertEquals("version_available 1.2.0",
                SystemdNotifier.statusText(status(UpdateState.VERSION_AVAILABLE, "1.2.0", 0, -1)));
        assertEquals("upgrading 1.2.0 40 %", SystemdNotifier.statusText(status(UpdateState.UPGRADING, "1.2.0", 40, 100)));
        assertEquals("version_validation 1.2.0 0 %",
                SystemdNotifier.statusText(status(UpdateState.VERSION_VALIDATION, "1.2.0", 0, 5000)));
        assertEquals("new_version_check", SystemdNotifier.statusText(status(UpdateState.NEW_VERSION_CHECK, null, 0, -1)));
    }

    @Test
    void watchdogPeriods() {
        assertEquals(30_000_000, SystemdNotifier.watchdogUsec("30000000", null, 42));
        assertEquals(30_000_000, SystemdNotifier.watchdogUsec("30000000", "42", 42));
        assertEquals(0, SystemdNotifier.watchdogUsec("30000000", "7", 42), "meant for another process");
        assertEquals(0, SystemdNotifier.watchdogUsec(null, null, 42));
        assertEquals(0, SystemdNotifier.watchdogUsec("soon", null, 42));
    }

    static UpdateStatus status(UpdateState state, String offered, long bytes, long total) {
        return new UpdateStatus(state, "1.0.0", offered, UpdateResult.IDLE, null, bytes, total);
    }
}
