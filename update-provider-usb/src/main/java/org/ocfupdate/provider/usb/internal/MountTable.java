package org.ocfupdate.provider.usb.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The mount points of {@code /proc/self/mountinfo}. inotify reports no event when a filesystem is mounted onto an
 * existing folder (stack-notes.md), and the file does not support inotify itself: the watcher re-reads it.
 */
final class MountTable {
    static final Path PROC = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** The file's text, or "" where there is none (not Linux): then only folder events are seen. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The mount points in {@code text} (the fifth field, with the kernel's octal escapes such as {@code \040}). */
    static Set<Path> mountPoints(String text) {
        Set<Path> points = new HashSet<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].startsWith("/")) {
                points.add(Path.of(unescape(f[4])));
            }
        }
        return points;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
