package org.ocfupdate.update.engine.internal.pkg;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code manifest.json} of an update package (docs/operator-contract.md), checked strictly. */
public record Manifest(String name, SemanticVersion version, List<Artifact> artifacts) {
    public static final String FILE = "manifest.json";
    public static final String SIGNATURE = "manifest.json.sig";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One artifact: a {@code bundle} installed in the framework, or a {@code file} copied under data/. */
    public record Artifact(String path, String sha256, long size, String type) {
        public boolean isBundle() {
            return type.equals("bundle");
        }
    }

    public static Manifest parse(byte[] json) throws PackageException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw PackageException.invalid("manifest.json is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw PackageException.invalid("manifest.json is not a JSON object");
        }
        String name = root.path("name").isTextual() ? root.get("name").textValue() : "";
        SemanticVersion version;
        try {
            version = SemanticVersion.parse(root.path("version").textValue());
        } catch (IllegalArgumentException e) {
            throw PackageException.invalid("manifest.json: " + e.getMessage());
        }
        JsonNode list = root.path("artifacts");
        if (!list.isArray() || list.isEmpty()) {
            throw PackageException.invalid("manifest.json: artifacts must be a non-empty list");
        }
        List<Artifact> artifacts = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (JsonNode a : list) {
            String path = a.path("path").textValue();
            String sha = a.path("sha256").textValue();
            String type = a.path("type").textValue();
            JsonNode size = a.path("size");
            checkPath(path);
            if (!paths.add(path)) {
                throw PackageException.invalid("manifest.json: artifact " + path + " listed twice");
            }
            if (sha == null || !SHA256.matcher(sha).matches()) {
                throw PackageException.invalid("manifest.json: " + path + ": sha256 must be 64 lowercase hex digits");
            }
            if (!size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
                throw PackageException.invalid("manifest.json: " + path + ": size must be a non-negative integer");
            }
            if (!"bundle".equals(type) && !"file".equals(type)) {
                throw PackageException.invalid("manifest.json: " + path + ": type must be bundle or file");
            }
            artifacts.add(new Artifact(path, sha, size.longValue(), type));
        }
        return new Manifest(name, version, List.copyOf(artifacts));
    }

    /** Relative, forward slashes, no {@code .}/{@code ..} segments: nothing can point outside staging. */
    static void checkPath(String path) throws PackageException {
        if (path == null || path.isEmpty()) {
            throw PackageException.invalid("manifest.json: an artifact has no path");
        }
        if (path.startsWith("/") || path.contains("\\") || path.contains(":") || path.contains("\0")) {
            throw PackageException.invalid("path not allowed: " + path);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw PackageException.invalid("path not allowed: " + path);
            }
        }
    }
}
