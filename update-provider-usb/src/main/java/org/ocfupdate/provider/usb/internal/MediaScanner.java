package org.ocfupdate.provider.usb.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds media under the roots and the update packages on them, from directory listings and file attributes only
 * (no file is opened here).
 * <p>
 * A medium is a folder at depth 1 ({@code /media/LABEL}, {@code /mnt/usb}) or, below a user folder, at depth 2
 * ({@code /media/USER/LABEL}, {@code /run/media/USER/LABEL}). A depth-1 folder is a medium when it is a mount point;
 * it is a user folder when one of its subfolders is a mount point. Without mount points (plain folders) it is a user
 * folder when it holds only folders, none of them {@code ocf-update}; otherwise (files, {@code ocf-update}/, or
 * empty) it is a medium. The packages of a medium are the regular {@code *.zip} files in its root and in its
 * {@code ocf-update/} folder (names compared ignoring case, as FAT media show them; macOS's {@code ._*} files are
 * skipped). Symbolic links are never followed below a root: a link loop or a link to a device costs nothing.
 */
final class MediaScanner {
    private static final Logger LOG = LoggerFactory.getLogger(MediaScanner.class);
    static final String UPDATE_FOLDER = "ocf-update";

    /** A package file as listed: a changed size or time makes it another package for the watcher. */
    record PackageFile(Path path, long size, long modified) {
    }

    record Medium(Path dir, List<PackageFile> packages) {
    }

    /**
     * What a scan found: the media, and the folders to watch for changes (existing roots, user folders, media and
     * their {@code ocf-update/} folders).
     */
    record Listing(List<Medium> media, Set<Path> folders) {
        static final Listing EMPTY = new Listing(List.of(), Set.of());

        List<PackageFile> packages() {
            return media.stream().flatMap(m -> m.packages().stream()).toList();
        }
    }

    private MediaScanner() {
    }

    static Listing scan(List<Path> roots, Set<Path> mountPoints) {
        List<Medium> media = new ArrayList<>();
        Set<Path> folders = new LinkedHashSet<>();
        for (Path configured : roots) {
            Path root;
            try {
                root = configured.toRealPath(); // a root itself may be a link (e.g. /media -> /run/media)
            } catch (IOException e) {
                continue; // not there (yet)
            }
            if (!Files.isDirectory(root)) {
                continue;
            }
            folders.add(root);
            for (Path d : entries(root, true)) {
                folders.add(d);
                if (isUserFolder(d, mountPoints)) {
                    for (Path m : entries(d, true)) {
                        medium(m, media, folders);
                    }
                } else {
                    medium(d, media, folders);
                }
            }
        }
        return new Listing(List.copyOf(media), Set.copyOf(folders));
    }

    private static boolean isUserFolder(Path d, Set<Path> mountPoints) {
        if (mountPoints.contains(d)) {
            return false;
        }
        List<Path> all = entries(d, false);
        if (all.isEmpty()) {
            return false;
        }
        boolean onlyFolders = true;
        for (Path e : all) {
            if (mountPoints.contains(e)) {
                return true;
            }
            onlyFolders &= isDirectory(e) && !e.getFileName().toString().equalsIgnoreCase(UPDATE_FOLDER);
        }
        return onlyFolders;
    }

    private static void medium(Path dir, List<Medium> media, Set<Path> folders) {
        folders.add(dir);
        List<PackageFile> packages = new ArrayList<>();
        for (Path e : entries(dir, false)) {
            if (isDirectory(e) && e.getFileName().toString().equalsIgnoreCase(UPDATE_FOLDER)) {
                folders.add(e);
                for (Path p : entries(e, false)) {
                    addPackage(p, packages);
                }
            } else {
                addPackage(e, packages);
            }
        }
        packages.sort(Comparator.comparing(p -> p.path().toString()));
        media.add(new Medium(dir, List.copyOf(packages)));
    }

    private static void addPackage(Path p, List<PackageFile> packages) {
        String name = p.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".zip") || name.startsWith("._")) {
            return;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile()) {
                packages.add(new PackageFile(p, a.size(), a.lastModifiedTime().toMillis()));
            } else {
                LOG.debug("Skipping {}: not a regular file (links are not followed on media)", p);
            }
        } catch (IOException e) {
            LOG.debug("Skipping {}: {}", p, e.toString());
        }
    }

    private static boolean isDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The entries of {@code dir} sorted by name (only real folders when {@code folders}); none when unreadable. */
    private static List<Path> entries(Path dir, boolean folders) {
        List<Path> list = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (!folders || isDirectory(p)) {
                    list.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot list {}: {}", dir, e.toString());
        }
        list.sort(Comparator.comparing(Path::toString));
        return list;
    }
}
