package dev.baton.verify.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client's connection to a fenced resource's {@link LineServer}: one request line, one reply
 * line; (re)connects on first use and after a failure. Owned by one thread (not thread-safe).
 */
final class StoreConnection {
    private final String address;
    private Socket socket;
    private BufferedReader in;
    private PrintWriter out;

    /**
     * @param address {@code host:port}
     */
    StoreConnection(String address) {
        this.address = address;
    }

    /**
     * Sends {@code request} and returns the reply; on failure the connection is dropped, so the
     * next request reconnects.
     */
    String roundTrip(String request) throws IOException {
        try {
            if (socket == null) {
                String[] hp = address.split(":");
                Socket s = new Socket();
                s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5_000);
                s.setTcpNoDelay(true);
                s.setSoTimeout(10_000);
                socket = s;
                in =
                        new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                out =
                        new PrintWriter(
                                new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8),
                                true);
            }
            out.println(request);
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("store closed the connection");
            }
            return reply;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // reconnecting anyway
        }
        socket = null;
    }
}
