package dev.tacit.findings;

/**
 * Where a finding is: a file position for lint ({@code uri} is the path, line and column 1-based, 0
 * when unknown), or a scanned service for audit ({@code uri} such as {@code smtp://mx.example.com:25},
 * line 0).
 *
 * @param snippet the offending text (a config line, a server reply), or null
 */
public record Location(String uri, int line, int column, String snippet) {

    public static Location file(String path, int line, int column, String snippet) {
        return new Location(path, line, column, snippet);
    }

    public static Location service(String uri) {
        return new Location(uri, 0, 0, null);
    }

    public boolean isFile() {
        return !uri.contains("://");
    }

    @Override
    public String toString() {
        if (line <= 0) {
            return uri;
        }
        return column > 0 ? uri + ":" + line + ":" + column : uri + ":" + line;
    }
}
