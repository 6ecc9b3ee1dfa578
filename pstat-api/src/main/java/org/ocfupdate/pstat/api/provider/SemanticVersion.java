package org.ocfupdate.pstat.api.provider;

/**
 * A Semantic Versioning 2.0.0 version ordered by precedence (build metadata ignored; numbers of up to 9 digits; at
 * most 256 characters, so at most 128 identifiers).
 * One implementation for the engine and every provider, so that they agree on what is newer; {@link #toString()}
 * is the normal form (without build metadata) in which versions are offered and compared.
 */
public record SemanticVersion(int major, int minor, int patch, String pre) implements Comparable<SemanticVersion> {
    /**
     * Longest text accepted, build metadata included. SemVer sets no limit, but versions come from unsigned input (a
     * manifest on a USB medium is read before any signature is checked) and end up in {@code /oic/d} {@code sv},
     * {@code /oc/swu} {@code nv}, the history and logs; 256 is node-semver's limit, far beyond any real version.
     */
    private static final int MAX_LENGTH = 256;
    /** Numbers of up to 9 digits fit an int. */
    private static final int MAX_DIGITS = 9;

    /**
     * Parses in one pass, without regular expressions: the JDK's regex engine recurses once per repetition of a
     * group, so a long list of identifiers overflowed the stack (issue 12, item 8).
     *
     * @throws IllegalArgumentException when {@code text} is not a semantic version
     */
    public static SemanticVersion parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a semantic version: null");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("not a semantic version: longer than " + MAX_LENGTH + " characters ("
                    + text.length() + ", starting " + text.substring(0, 16) + "...)");
        }
        int plus = text.indexOf('+');
        String core = plus < 0 ? text : text.substring(0, plus);
        if (plus >= 0) {
            identifiers(text, text.substring(plus + 1), false);
        }
        int dash = core.indexOf('-');
        String pre = dash < 0 ? null : core.substring(dash + 1);
        if (pre != null) {
            identifiers(text, pre, true);
        }
        String[] numbers = (dash < 0 ? core : core.substring(0, dash)).split("\\.", -1);
        if (numbers.length != 3) {
            throw bad(text);
        }
        int[] n = new int[3];
        for (int i = 0; i < 3; i++) {
            String s = numbers[i];
            if (s.isEmpty() || s.length() > MAX_DIGITS || !digits(s) || (s.length() > 1 && s.charAt(0) == '0')) {
                throw bad(text);
            }
            n[i] = Integer.parseInt(s);
        }
        return new SemanticVersion(n[0], n[1], n[2], pre);
    }

    /**
     * Checks dot-separated identifiers of {@code [0-9A-Za-z-]}, none empty; in a pre-release a numeric one has no
     * leading zero.
     */
    private static void identifiers(String text, String list, boolean preRelease) {
        int start = 0;
        while (true) {
            int end = list.indexOf('.', start);
            String id = list.substring(start, end < 0 ? list.length() : end);
            if (id.isEmpty()) {
                throw bad(text);
            }
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-')) {
                    throw bad(text);
                }
            }
            if (preRelease && id.length() > 1 && id.charAt(0) == '0' && digits(id)) {
                throw bad(text);
            }
            if (end < 0) {
                return;
            }
            start = end + 1;
        }
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not a semantic version: " + text);
    }

    @Override
    public int compareTo(SemanticVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (pre == null || o.pre == null) {
            return pre == null ? (o.pre == null ? 0 : 1) : -1; // a pre-release is older than its release
        }
        String[] a = pre.split("\\."); // a one-character split: no regex engine involved
        String[] b = o.pre.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = digits(a[i]);
            boolean bn = digits(b[i]);
            int d = an && bn ? new java.math.BigInteger(a[i]).compareTo(new java.math.BigInteger(b[i]))
                    : an ? -1 : bn ? 1 : a[i].compareTo(b[i]);
            if (d != 0) {
                return d;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    public boolean isNewerThan(SemanticVersion other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (pre == null ? "" : "-" + pre);
    }
}
