package dev.baton.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class FaultProxyTest {
    private ServerSocket echo;
    private Thread echoThread;
    private FaultProxy proxy;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread =
                new Thread(
                        () -> {
                            while (!echo.isClosed()) {
                                try {
                                    Socket s = echo.accept();
                                    Thread t =
                                            new Thread(
                                                    () -> {
                                                        try (s) {
                                                            s.getInputStream()
                                                                    .transferTo(
                                                                            s.getOutputStream());
                                                        } catch (IOException e) {
                                                            // peer gone
                                                        }
                                                    });
                                    t.setDaemon(true);
                                    t.start();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "echo");
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        send(s, text);
        return receive(s, text.length());
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = in.readNBytes(length);
        return new String(buf, StandardCharsets.UTF_8);
    }

    @Test
    void passesBytesBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            assertThat(proxy.connections()).isEqualTo(1);
        }
    }

    @Test
    void blackholeForwardsNothingKeepsTheSocketAndDeliversHeldBytesOnPass() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "a")).isEqualTo("a");
            proxy.blackhole();
            assertThat(proxy.isBlackholed()).isTrue();
            send(s, "held");
            s.setSoTimeout(1_000);
            assertThatThrownBy(() -> s.getInputStream().read())
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(s.isClosed()).isFalse();
            assertThat(proxy.connections()).isEqualTo(1);
            // A new connection is accepted but hears nothing either.
            try (Socket other = connect()) {
                other.setSoTimeout(1_000);
                send(other, "x");
                assertThatThrownBy(() -> other.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class);
            }
            proxy.pass();
            s.setSoTimeout(10_000);
            assertThat(receive(s, 4)).isEqualTo("held");
            assertThat(roundTrip(s, "after")).isEqualTo("after");
        }
    }

    @Test
    void resetClosesEveryConnectionAndNewOnesWork() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "a")).isEqualTo("a");
            proxy.reset();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.connections() == 0);
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "again")).isEqualTo("again");
        }
    }

    @Test
    void delayHoldsEachChunkBackAtLeastThatLong() throws IOException {
        try (Socket s = connect()) {
            proxy.delay(Duration.ofSeconds(1));
            long start = System.nanoTime();
            assertThat(roundTrip(s, "slow")).isEqualTo("slow");
            // Two hops (there and back), each delayed by at least a second.
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            proxy.pass();
        }
    }

    @Test
    void closeRefusesNewConnections() {
        int port = proxy.port();
        proxy.close();
        // The freed port may be taken by another process on a busy machine at once, so a
        // successful connect alone proves nothing; what must hold is that the proxy never
        // accepts it.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            await("the closed proxy to accept nothing")
                    .during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.connections() == 0);
        } catch (IOException expected) {
            // refused: nothing listens on the port any more
        }
        assertThat(proxy.connections()).isZero();
    }

    @Test
    void rejectsABadUpstreamPort() {
        assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upstreamPort");
    }
}
