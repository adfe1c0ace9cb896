package dev.tacit.delivery;

import java.nio.file.Path;

/** The outcome of one delivery attempt to one target. */
public sealed interface DeliveryResult {

    /** Delivered; {@code syncDir} must be fsync'd before the result is journalled (null if none). */
    record Delivered(Path syncDir, String detail) implements DeliveryResult {}

    /** Try again later. */
    record Temporary(String reason) implements DeliveryResult {}

    /** Will never succeed. */
    record Permanent(String reason) implements DeliveryResult {}
}
