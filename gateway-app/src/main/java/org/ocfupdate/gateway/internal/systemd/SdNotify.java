package org.ocfupdate.gateway.internal.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's {@code sd_notify}: one datagram to the Unix socket named by {@code NOTIFY_SOCKET}. Java 17 cannot send on
 * a Unix datagram socket, so the datagram goes through libc with JNA. Without {@code NOTIFY_SOCKET} (not started by
 * systemd as {@code Type=notify}) nothing is loaded and nothing is sent.
 */
public final class SdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH = 108;

    /** The libc calls sd_notify makes. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen)
                throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static volatile SdNotify instance;
    private static volatile boolean tried;

    private final byte[] address;
    private final LibC libc;

    SdNotify(String socket, LibC libc) {
        this.address = address(socket);
        this.libc = libc;
    }

    /** The notifier of this process, or null outside systemd (or when libc cannot be reached: logged once). */
    public static SdNotify get() {
        if (!tried) {
            synchronized (SdNotify.class) {
                if (!tried) {
                    instance = create(System.getenv("NOTIFY_SOCKET"));
                    tried = true;
                }
            }
        }
        return instance;
    }

    /** Sends {@code state} (e.g. {@code READY=1}) when running under systemd; does nothing otherwise. */
    public static void notify(String state) {
        SdNotify n = get();
        if (n != null) {
            n.send(state);
        }
    }

    private static SdNotify create(String socket) {
        if (socket == null || socket.isEmpty()) {
            return null;
        }
        try {
            if (System.getProperty("jna.nosys") == null) {
                // libjnidispatch from the bundle's Bundle-NativeCode, which Felix extracts into the framework storage,
                // rather than unpacked into /tmp (often noexec on a gateway); JNA falls back to unpacking
                System.setProperty("jna.nosys", "false");
            }
            return new SdNotify(socket, Native.load(Platform.C_LIBRARY_NAME, LibC.class));
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.warn("NOTIFY_SOCKET={} is set but systemd cannot be notified: {}", socket, e.toString());
            return null;
        }
    }

    /** sockaddr_un of {@code socket}: a path, or an abstract name given as {@code @name}. */
    static byte[] address(String socket) {
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name[0] == '@';
        if (name.length > SUN_PATH - 1) {
            throw new IllegalArgumentException("socket name longer than " + (SUN_PATH - 1) + " bytes");
        }
        if (name[0] != '/' && !abstractName) {
            throw new IllegalArgumentException("neither an absolute path nor an abstract name");
        }
        // a path ends with NUL; an abstract name starts with NUL and is exactly as long as given
        ByteBuffer sa = ByteBuffer.allocate(2 + name.length + (abstractName ? 0 : 1)).order(ByteOrder.nativeOrder());
        sa.putShort((short) AF_UNIX);
        sa.put(name);
        if (abstractName) {
            sa.put(2, (byte) 0);
        }
        return sa.array();
    }

    /** Sends one datagram; false (logged) when it could not be sent. Never blocks. */
    public boolean send(String state) {
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        int fd = -1;
        try {
            fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            libc.sendto(fd, msg, new NativeLong(msg.length), MSG_DONTWAIT | MSG_NOSIGNAL, address, address.length);
            return true;
        } catch (LastErrorException e) {
            LOG.warn("sd_notify {} failed: errno {}", state.replace('\n', ' '), e.getErrorCode());
            return false;
        } finally {
            if (fd >= 0) {
                try {
                    libc.close(fd);
                } catch (LastErrorException e) {
                    // nothing was written through it that close could lose
                }
            }
        }
    }
}
