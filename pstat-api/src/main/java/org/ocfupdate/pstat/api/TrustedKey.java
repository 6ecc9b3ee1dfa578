package org.ocfupdate.pstat.api;

/**
 * A public key whose signatures on update packages are trusted.
 *
 * @param path        the PEM file it was read from
 * @param algorithm   "ECDSA P-256" or "Ed25519"
 * @param fingerprint SHA-256 of the key's DER SubjectPublicKeyInfo, lowercase hex (as
 *                    {@code openssl pkey -pubin -outform DER | sha256sum} prints it)
 * @since 1.1
 */
public record TrustedKey(String path, String algorithm, String fingerprint) {
}
