package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The throttle's arithmetic, on a clock the test sets (nanoseconds). */
class LoginThrottleTest {
    static final long S = TimeUnit.SECONDS.toNanos(1);

    /** A try that is admitted, checked and found wrong: the lockout it leaves. */
    static long wrong(LoginThrottle t, String client, long now) {
        assertEquals(0, t.admit(client, now), client + " admitted");
        return t.lockedFor(client, now);
    }

    @Test
    void theFifthWrongPasswordInARowLocksForOneSecondThenEachFurtherOneDoublesTheWait() {
        LoginThrottle t = new LoginThrottle();
        long now = 1_000 * S;
        for (int i = 1; i < LoginThrottle.FREE_TRIES; i++) {
            assertEquals(0, wrong(t, "10.0.0.1", now), "wrong password " + i);
        }
        assertEquals(S, wrong(t, "10.0.0.1", now));
        assertEquals(S, t.admit("10.0.0.1", now), "refused, unchecked");
        assertEquals(S / 2, t.admit("10.0.0.1", now + S / 2), "a refused try does not extend the lockout");
        assertEquals(0, wrong(t, "10.0.0.2", now), "another address is not concerned");
        long expected = 2 * S;
        for (int i = 0; i < 20; i++) {
            now += t.lockedFor("10.0.0.1", now); // the client waits, then tries again
            assertEquals(expected, wrong(t, "10.0.0.1", now));
            expected = Math.min(expected * 2, LoginThrottle.MAX_LOCK_SECONDS * S);
        }
        assertEquals(LoginThrottle.MAX_LOCK_SECONDS * S, t.lockedFor("10.0.0.1", now));
    }

    @Test
    void onceLockoutsBeginOnlyOneOfManyConcurrentTriesIsChecked() {
        LoginThrottle t = new LoginThrottle();
        for (int i = 1; i < LoginThrottle.FREE_TRIES; i++) {
            wrong(t, "a", 0);
        }
        assertEquals(0, t.admit("a", 0), "the fifth is checked");
        for (int i = 0; i < 100; i++) {
            assertTrue(t.admit("a", 0) > 0, "the others arriving while it is checked are not");
        }
        t.succeeded("a"); // the fifth was right after all
        assertEquals(0, t.admit("a", 0));
    }

    @Test
    void aRightPasswordOrAnHourWithoutAWrongOneStartsAfresh() {
        LoginThrottle t = new LoginThrottle();
        for (int i = 1; i < LoginThrottle.FREE_TRIES; i++) {
            wrong(t, "a", 0);
            wrong(t, "b", 0);
        }
        assertEquals(0, t.admit("a", 0));
        t.succeeded("a");
        assertEquals(0, wrong(t, "a", 0), "counted afresh after a login");
        assertEquals(0, wrong(t, "b", TimeUnit.SECONDS.toNanos(LoginThrottle.FORGET_SECONDS) + 1),
                "forgotten after an hour");
        LoginThrottle slow = new LoginThrottle();
        for (int i = 1; i < LoginThrottle.FREE_TRIES; i++) {
            wrong(slow, "c", i * TimeUnit.MINUTES.toNanos(10)); // 10 minutes apart: still in a row
        }
        assertEquals(S, wrong(slow, "c", TimeUnit.MINUTES.toNanos(50)));
    }

    @Test
    void theTableOfAddressesIsBounded() {
        LoginThrottle t = new LoginThrottle();
        for (int i = 0; i < 3 * LoginThrottle.MAX_ADDRESSES; i++) {
            wrong(t, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 0);
        }
        assertEquals(LoginThrottle.MAX_ADDRESSES, t.size());
    }

    @Test
    void ipv6AddressesCountPerSlash64() {
        assertEquals(LoginThrottle.key("2001:db8:1:2::1"), LoginThrottle.key("[2001:db8:1:2:ffff:1:2:3]"));
        assertTrue(!LoginThrottle.key("2001:db8:1:2::1").equals(LoginThrottle.key("2001:db8:1:3::1")));
        assertEquals("127.0.0.1", LoginThrottle.key("127.0.0.1"));
        assertEquals("0:0:0:0::/64", LoginThrottle.key("::1"));
        LoginThrottle t = new LoginThrottle();
        for (int i = 1; i < LoginThrottle.FREE_TRIES; i++) {
            wrong(t, LoginThrottle.key("2001:db8::" + Integer.toHexString(i)), 0);
        }
        assertEquals(S, wrong(t, LoginThrottle.key("2001:db8::ffff"), 0), "one /64, one count");
    }
}
