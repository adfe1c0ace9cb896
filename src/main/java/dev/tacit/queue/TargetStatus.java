package dev.tacit.queue;

/** Per-target delivery state as journalled. */
public enum TargetStatus {
    PENDING(0), DELIVERED(1), FAILED(2), DEFERRED(3);

    final int code;

    TargetStatus(int code) {
        this.code = code;
    }

    public boolean isFinal() {
        return this == DELIVERED || this == FAILED;
    }

    static TargetStatus of(int code) {
        for (TargetStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("status " + code);
    }
}
