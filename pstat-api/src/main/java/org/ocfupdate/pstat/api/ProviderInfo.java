package org.ocfupdate.pstat.api;

/**
 * An update provider as the engine sees it, for operators.
 *
 * @param name      its {@code provider.name} (e.g. "usb", "http")
 * @param ranking   its {@code service.ranking}
 * @param serviceId its {@code service.id}
 * @param status    its own short status (e.g. "medium /media/USB1 with 2.1.0")
 * @param inUse     true for the one the engine asks (the highest ranking; ties: the longest registered)
 * @since 1.1
 */
public record ProviderInfo(String name, int ranking, long serviceId, String status, boolean inUse) {
}
