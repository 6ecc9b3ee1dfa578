package org.ocfupdate.provider.usb.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The media the provider knew when it stopped, kept in its bundle's data area with the framework launch they belong
 * to. An installation or a rollback refreshes the provider's bundle: without this, every medium still plugged in
 * would look newly inserted and start a check again (issue 12, item 5: a failing package installed and rolled back
 * in a loop). The framework's {@code org.osgi.framework.uuid} is new at every framework start and unchanged by
 * bundle refreshes, so media present at a gateway start still count as inserted.
 */
final class SeenMedia {
    static final String FILE = "media-seen.json";
    private static final Logger LOG = LoggerFactory.getLogger(SeenMedia.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeenMedia() {
    }

    /** The media kept by this launch; none when the file is from another launch, missing or unreadable. */
    static MediaScanner.Listing load(UsbProvider.Launch launch) {
        if (launch.id() == null || launch.seenFile() == null || !Files.isRegularFile(launch.seenFile())) {
            return MediaScanner.Listing.EMPTY;
        }
        try {
            JsonNode root = JSON.readTree(launch.seenFile().toFile());
            if (!launch.id().equals(root.path("framework").asText())) {
                return MediaScanner.Listing.EMPTY; // a new start of the gateway: media present count as inserted
            }
            List<MediaScanner.Medium> media = new ArrayList<>();
            for (JsonNode m : root.path("media")) {
                List<MediaScanner.PackageFile> packages = new ArrayList<>();
                for (JsonNode p : m.path("packages")) {
                    packages.add(new MediaScanner.PackageFile(Path.of(p.path("path").asText()),
                            p.path("size").asLong(), p.path("modified").asLong()));
                }
                media.add(new MediaScanner.Medium(Path.of(m.path("dir").asText()), List.copyOf(packages)));
            }
            // no folders: the first scan differs from this listing and is reported against it
            return new MediaScanner.Listing(List.copyOf(media), Set.of());
        } catch (IOException | RuntimeException e) {
            LOG.warn("USB provider: cannot read {} ({}); media present count as inserted", launch.seenFile(),
                    e.toString());
            return MediaScanner.Listing.EMPTY;
        }
    }

    /** Keeps {@code listing} for a restart within this launch; a failure is logged (the restart then re-checks). */
    static void save(UsbProvider.Launch launch, MediaScanner.Listing listing) {
        if (launch.id() == null || launch.seenFile() == null) {
            return;
        }
        ObjectNode root = JSON.createObjectNode().put("framework", launch.id());
        ArrayNode media = root.putArray("media");
        for (MediaScanner.Medium m : listing.media()) {
            ObjectNode medium = media.addObject().put("dir", m.dir().toString());
            ArrayNode packages = medium.putArray("packages");
            for (MediaScanner.PackageFile p : m.packages()) {
                packages.addObject().put("path", p.path().toString()).put("size", p.size())
                        .put("modified", p.modified());
            }
        }
        try {
            Files.createDirectories(launch.seenFile().getParent());
            Path tmp = launch.seenFile().resolveSibling(FILE + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(root));
            Files.move(tmp, launch.seenFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("USB provider: cannot keep the media seen in {}: {}", launch.seenFile(), e.toString());
        }
    }
}
