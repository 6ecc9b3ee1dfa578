package org.ocfupdate.pstat.api.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Semantic Versioning 2.0.0 parsing and precedence, and input an unsigned manifest may carry. */
class SemanticVersionTest {

    @Test
    void aVersionOfThousandsOfPreReleaseIdentifiersIsRefusedNotAStackOverflow() {
        // issue 12 item 8: "5.3.0-a.a.a..." of 4 KB overflowed the regex's stack and killed the USB watcher
        String text = "5.3.0-" + "a.".repeat(2047) + "a";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(text));
        assertTrue(e.getMessage().contains("longer than 256 characters"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, "the refusal does not quote the whole input: " + e.getMessage());
        // the same shape far beyond any regex's recursion depth
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse("1.0.0-" + "a.".repeat(500_000) + "a"));
    }

    @Test
    void versionsUpToTheCapParse() {
        String pre = "a." .repeat(124) + "abcd"; // 6 + 252 = 256 characters
        String text = "1.0.0-" + pre.substring(0, 250);
        assertEquals(256, text.length());
        assertEquals(text, SemanticVersion.parse(text).toString());
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(text + "a"));
        String build = "1.0.0+" + "b".repeat(250);
        assertEquals("1.0.0", SemanticVersion.parse(build).toString(), "build metadata counts towards the cap too");
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(build + "b"));
    }

    @Test
    void precedenceAsTheSpecificationListsIt() {
        List<String> ordered = List.of("1.0.0-0", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1",
                "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
                "1.1.0", "1.10.0", "2.0.0", "10.0.0", "999999999.0.0");
        for (int i = 1; i < ordered.size(); i++) {
            SemanticVersion a = SemanticVersion.parse(ordered.get(i - 1));
            SemanticVersion b = SemanticVersion.parse(ordered.get(i));
            assertTrue(a.compareTo(b) < 0 && b.compareTo(a) > 0, ordered.get(i - 1) + " < " + ordered.get(i));
        }
        assertEquals(0, SemanticVersion.parse("1.0.0+build.5").compareTo(SemanticVersion.parse("1.0.0")));
        assertEquals(0, SemanticVersion.parse("1.0.0-rc.1+x").compareTo(SemanticVersion.parse("1.0.0-rc.1")));
        assertTrue(SemanticVersion.parse("1.0.0-99999999999999999999").compareTo(SemanticVersion.parse("1.0.0-9")) > 0,
                "numeric identifiers compare as numbers, of any length");
    }

    @Test
    void malformedVersionsAreRefused() {
        for (String bad : new String[] {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.01.0", "1.0.01", "v1.0.0", " 1.0.0",
                "1.0.0 ", "1.0.0-", "1.0.0+", "1.0.0-01", "1.0.0-a..b", "1.0.0-a.", "1.0.0+b..c", "1.0.0-é",
                "1234567890.0.0", "-1.0.0", "1.0.0-+b", "1.0.0+b+c", "1.0.0-a_b", "١.0.0", "1.0.0-١"}) {
            assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(null));
    }

    /** The regex SemanticVersion used before (kept here as the reference of what is accepted, on short inputs). */
    private static final String IDENT = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
    private static final Pattern REFERENCE = Pattern.compile("(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})"
            + "(?:-(" + IDENT + "(?:\\." + IDENT + ")*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    @Test
    void acceptsExactlyWhatTheSemVerGrammarAccepts() {
        Random random = new Random(12);
        String alphabet = "0019.-+aZ-.";
        int accepted = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder(random.nextInt(3) == 0 ? "" : "1.0.");
            for (int len = random.nextInt(14); len > 0; len--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = b.toString();
            Matcher m = REFERENCE.matcher(text);
            if (m.matches()) {
                accepted++;
                SemanticVersion v = SemanticVersion.parse(text);
                assertEquals(new SemanticVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), m.group(4)), v, text);
            } else {
                assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(text), text);
            }
        }
        assertTrue(accepted > 1000, "the sample holds valid versions too: " + accepted);
    }
}
