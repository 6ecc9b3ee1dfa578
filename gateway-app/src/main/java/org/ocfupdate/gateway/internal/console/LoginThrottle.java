package org.ocfupdate.gateway.internal.console;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throttling of wrong Web Console passwords, per client address. A few wrong tries cost nothing (an operator
 * mistypes); the {@value #FREE_TRIES}th in a row and every further one locks the address for a time that doubles each
 * time, from {@value #FIRST_LOCK_SECONDS} s up to {@value #MAX_LOCK_SECONDS} s. While locked, the address
 * is answered at once without any password being checked (so it learns nothing, not even from the right one), and
 * no servlet thread sleeps. Only {@link #admit}ted tries are checked, one at a time once the lockouts begin. A successful login, or an hour without a wrong try, clears the address.
 * <p>
 * Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are remembered, the least recently seen one is
 * forgotten first, and IPv6 addresses count per /64 network (one host owns a whole /64, so cycling through it must
 * not give fresh tries nor fill the table).
 */
final class LoginThrottle {
    static final int FREE_TRIES = 5;
    static final long FIRST_LOCK_SECONDS = 1;
    static final long MAX_LOCK_SECONDS = 15 * 60;
    static final long FORGET_SECONDS = 60 * 60;
    static final int MAX_ADDRESSES = 4096;

    private static final class Client {
        int wrong;
        long lastWrong;
        long lockedUntil;
    }

    private final Map<String, Client> clients = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    /** Nanoseconds this client must still wait before a password of it is checked; 0 = none. */
    synchronized long lockedFor(String client, long nowNanos) {
        Client c = clients.get(client);
        return c == null ? 0 : Math.max(0, c.lockedUntil - nowNanos);
    }

    /**
     * Before a password is checked: 0 = check it, else the nanoseconds to wait (nothing is checked nor counted).
     * An admitted try counts as wrong at once, until {@link #succeeded} says otherwise: so concurrent requests
     * cannot slip in while one is being checked, and the try that reaches {@value #FREE_TRIES} starts the lockout
     * before its answer.
     */
    synchronized long admit(String client, long nowNanos) {
        Client c = clients.computeIfAbsent(client, k -> new Client());
        if (c.lockedUntil - nowNanos > 0) {
            return c.lockedUntil - nowNanos;
        }
        if (c.wrong > 0 && nowNanos - c.lastWrong > TimeUnit.SECONDS.toNanos(FORGET_SECONDS)) {
            c.wrong = 0;
        }
        c.wrong++;
        c.lastWrong = nowNanos;
        if (c.wrong >= FREE_TRIES) {
            int doublings = Math.min(c.wrong - FREE_TRIES, 30);
            c.lockedUntil = nowNanos
                    + TimeUnit.SECONDS.toNanos(Math.min(FIRST_LOCK_SECONDS << doublings, MAX_LOCK_SECONDS));
        }
        return 0;
    }

    /** A right password: the client starts afresh. */
    synchronized void succeeded(String client) {
        clients.remove(client);
    }

    synchronized int size() {
        return clients.size();
    }

    /** The table key of a client address: the address itself, or its /64 network for IPv6. */
    static String key(String remoteAddress) {
        String a = remoteAddress.startsWith("[") ? remoteAddress.substring(1, remoteAddress.length() - 1)
                : remoteAddress;
        if (!a.contains(":")) {
            return a;
        }
        try {
            byte[] b = InetAddress.getByName(a).getAddress(); // a literal: no name lookup
            if (b.length != 16) {
                return a; // an IPv4-mapped address comes back as IPv4
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return s.append(":/64").toString();
        } catch (java.net.UnknownHostException e) {
            return a;
        }
    }
}
