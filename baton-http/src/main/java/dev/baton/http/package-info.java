/**
 * Baton through a Baton gateway: {@code Baton.connect("http://127.0.0.1:8080")} runs the library's
 * primitives over the gateway's HTTP API ({@link dev.baton.http.HttpBackendProvider}), on the JDK's
 * {@code HttpClient}.
 */
package dev.baton.http;
