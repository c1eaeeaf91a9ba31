package dev.baton.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedisServerTest {

    @Test
    void startsOnAFreePortAndRestartsEmptyOnTheSamePort() throws IOException {
        try (RedisServer server = RedisServer.start()) {
            assertThat(server.port()).isNotEqualTo(6379);
            assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + server.port());
            assertThat(command(server.port(), "SET k v")).isEqualTo("+OK");
            assertThat(command(server.port(), "EXISTS k")).isEqualTo(":1");

            server.restart();
            assertThat(server.isRunning()).isTrue();
            assertThat(command(server.port(), "EXISTS k")).as("no persistence").isEqualTo(":0");

            server.kill();
            assertThat(server.isRunning()).isFalse();
            assertThat(refused(server.port())).isTrue();
        }
    }

    /** One inline command, one-line reply. */
    private static String command(int port, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = s.getInputStream().read()) != -1 && c != '\r') {
                reply.append((char) c);
            }
            return reply.toString();
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
