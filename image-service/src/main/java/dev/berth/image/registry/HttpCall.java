package dev.berth.image.registry;

import java.net.URI;
import java.util.Map;

/**
 * One HTTP request to a registry or token server.
 *
 * @param method   GET, HEAD or POST
 * @param uri      where to send it
 * @param headers  request headers (Authorization is dropped when a redirect leaves the host)
 * @param formBody a form-encoded body for POST, else null
 */
public record HttpCall(String method, URI uri, Map<String, String> headers, String formBody) {

    public HttpCall {
        headers = Map.copyOf(headers);
    }

    public static HttpCall get(URI uri, Map<String, String> headers) {
        return new HttpCall("GET", uri, headers, null);
    }
}
