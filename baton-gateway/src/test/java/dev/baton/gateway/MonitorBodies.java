package dev.baton.gateway;

/** Request bodies of the monitor routes, for the tests that drive them. */
final class MonitorBodies {
    private MonitorBodies() {}

    /** {@code POST /v1/monitors/await}: start waiting (the atomic step) under a request id. */
    static String await(String session, String lease, String condition, String request) {
        return "{\"session\":\""
                + session
                + "\",\"lease\":\""
                + lease
                + "\",\"condition\":\""
                + condition
                + "\",\"request\":\""
                + request
                + "\"}";
    }

    /** {@code POST /v1/monitors/await}: poll a started wait for at most {@code wait}. */
    static String poll(String session, String request, String wait) {
        return "{\"session\":\""
                + session
                + "\",\"request\":\""
                + request
                + "\",\"wait\":\""
                + wait
                + "\"}";
    }
}
