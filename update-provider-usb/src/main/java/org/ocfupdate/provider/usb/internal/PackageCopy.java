package org.ocfupdate.provider.usb.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an offered package from its medium into the staging file. Failures on the medium side (gone, unreadable,
 * removed or replaced mid-copy) are result 4; failures writing the gateway's own storage (full, read-only, any other
 * write error) are result 3; bytes beyond the offered size are result 5. The partial target is deleted on any
 * failure and on cancellation.
 */
final class PackageCopy {
    private static final Logger LOG = LoggerFactory.getLogger(PackageCopy.class);
    static final int BUFFER = 64 * 1024;

    private PackageCopy() {
    }

    static void copy(FetchRequest request) throws UpdateException {
        Path target = request.target();
        try {
            copy(source(request), target, request);
        } catch (UpdateException e) {
            if (e.result() == UpdateResult.IDLE) {
                LOG.info("USB fetch of {} cancelled", request.offer().location());
            } else {
                LOG.warn("USB fetch failed (result {}): {}", e.result().code(), e.getMessage());
            }
            try {
                Files.deleteIfExists(target);
            } catch (IOException x) {
                LOG.warn("Cannot delete the partial file {}: {}", target, x.getMessage());
            }
            throw e;
        }
    }

    private static Path source(FetchRequest request) throws UpdateException {
        var location = request.offer().location();
        if (!"file".equals(location.getScheme())) {
            throw new UpdateException(UpdateResult.UNSUPPORTED_PROTOCOL, "the USB provider copies files, not "
                    + location);
        }
        return Path.of(location);
    }

    private static void copy(Path source, Path target, FetchRequest request) throws UpdateException {
        long total = request.offer().size();
        FileChannel in;
        Object identity;
        try {
            identity = identity(source);
            in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw readFailure(source, e);
        }
        try (in; FileChannel out = openTarget(target)) {
            if (total < 0) {
                total = in.size();
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            long copied = 0;
            while (true) {
                if (request.isCancelled()) {
                    throw new UpdateException(UpdateResult.IDLE, "cancelled");
                }
                buf.clear();
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw readFailure(source, e);
                }
                if (n < 0) {
                    break;
                }
                if (copied + n > total) {
                    throw new UpdateException(UpdateResult.VALIDATION_FAILURE, source + " grew past the offered "
                            + total + " bytes while it was copied");
                }
                buf.flip();
                try {
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                } catch (IOException e) {
                    throw writeFailure(target, e);
                }
                copied += n;
                request.progress(copied, total);
                // an open file stays readable after its medium is lazily unmounted or the file deleted
                if (!Objects.equals(identity, identityOrNull(source))) {
                    throw new UpdateException(UpdateResult.CONNECTION_FAILURE, source
                            + " disappeared during the copy (medium removed?) after " + copied + " of " + total
                            + " bytes");
                }
            }
            try {
                out.force(true);
            } catch (IOException e) {
                throw writeFailure(target, e);
            }
            LOG.info("Copied {} ({} bytes) to {}", source, copied, target);
        } catch (IOException e) { // closing
            throw writeFailure(target, e);
        }
    }

    private static FileChannel openTarget(Path target) throws UpdateException {
        try {
            return FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw writeFailure(target, e);
        }
    }

    private static Object identity(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException("not a regular file");
        }
        return a.fileKey() != null ? a.fileKey() : a.creationTime();
    }

    private static Object identityOrNull(Path p) {
        try {
            return identity(p);
        } catch (IOException e) {
            return null;
        }
    }

    private static UpdateException readFailure(Path source, IOException e) {
        String why = e instanceof NoSuchFileException ? "it is gone (medium removed?)" : e.toString();
        return new UpdateException(UpdateResult.CONNECTION_FAILURE, "cannot read " + source + " from the medium: "
                + why, e);
    }

    /** Writing the staging file failed: the gateway's storage is full, read-only or failing (result 3). */
    private static UpdateException writeFailure(Path target, IOException e) {
        String msg = String.valueOf(e.getMessage());
        String why = msg.contains("No space left") || msg.contains("Disk quota") ? "the storage is full"
                : msg.contains("Read-only") ? "the storage is read-only"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.toString();
        return new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot write the staging file " + target + ": "
                + why + " (" + e.getMessage() + ")", e);
    }
}
