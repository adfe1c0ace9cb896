package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PollersTest {

    @Test
    void halfTheJdkDefaultAndAtLeastOne() {
        assertThat(Pollers.readPollers(1)).isEqualTo(1);
        assertThat(Pollers.readPollers(2)).isEqualTo(1);
        assertThat(Pollers.readPollers(3)).isEqualTo(1);
        assertThat(Pollers.readPollers(4)).isEqualTo(2);
        assertThat(Pollers.readPollers(6)).isEqualTo(2);
        assertThat(Pollers.readPollers(16)).isEqualTo(8);
        assertThat(Pollers.readPollers(256)).isEqualTo(16);
        assertThat(Pollers.readPollers(0)).isEqualTo(1);
    }

    @Test
    void aValueGivenOnTheCommandLineIsKept() {
        String before = System.getProperty(Pollers.PROPERTY);
        try {
            System.setProperty(Pollers.PROPERTY, "4");
            assertThat(Pollers.configure()).isEqualTo("4");
            assertThat(System.getProperty(Pollers.PROPERTY)).isEqualTo("4");
            System.clearProperty(Pollers.PROPERTY);
            String set = Pollers.configure();
            assertThat(set).isEqualTo(Integer.toString(Pollers.readPollers(Runtime.getRuntime().availableProcessors())));
            assertThat(System.getProperty(Pollers.PROPERTY)).isEqualTo(set);
        } finally {
            if (before == null) {
                System.clearProperty(Pollers.PROPERTY);
            } else {
                System.setProperty(Pollers.PROPERTY, before);
            }
        }
    }
}
