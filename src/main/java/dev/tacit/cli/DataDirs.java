package dev.tacit.cli;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration behind an admin command: {@code --config FILE}, or {@code --data-dir DIR} (whose
 * tacit.toml is read if it has one, as the demo's has, else the defaults for that folder).
 */
final class DataDirs {

    private DataDirs() {}

    static TacitConfig config(Path config, Path dataDir) {
        try {
            if (config != null) {
                return ConfigLoader.load(config);
            }
            if (dataDir != null) {
                Path toml = dataDir.resolve("tacit.toml");
                if (Files.exists(toml)) {
                    TacitConfig c = ConfigLoader.load(toml);
                    if (c.dataDir().normalize().equals(dataDir.toAbsolutePath().normalize())) {
                        return c;
                    }
                }
                return ConfigLoader.parse("data_dir = " + ConfigLoader.tomlString(dataDir.toAbsolutePath().toString()) + "\n",
                        dataDir.toAbsolutePath().resolve("tacit.toml"));
            }
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), 2);
        }
        throw new CliException("needs --config FILE or --data-dir DIR", 2);
    }
}
