package dev.berth.testing.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A user name and password, as Basic auth and the token server's login take them. */
public record Credentials(String username, String password) {

    public Credentials {
        Objects.requireNonNull(username);
        Objects.requireNonNull(password);
        if (username.contains(":")) {
            throw new IllegalArgumentException("a Basic auth user name cannot contain ':'");
        }
    }

    /** The {@code Authorization} header value. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** True when {@code header} is a Basic {@code Authorization} value carrying exactly these credentials. */
    public boolean matchesHeader(String header) {
        return header != null && header.equals(basicHeader());
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]";
    }
}
