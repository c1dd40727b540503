package dev.berth.image;

import dev.berth.common.error.BerthException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Credentials for one pull, as CRI's {@code AuthConfig} carries them. Empty strings mean "not given".
 *
 * @param username      user for Basic auth or for the token server
 * @param password      its password
 * @param auth          base64 of {@code username:password}, used when username/password are empty
 * @param identityToken an OAuth2 refresh token exchanged at the token server
 * @param registryToken a bearer token sent to the registry as is
 */
public record RegistryCredentials(String username, String password, String auth, String identityToken,
                                  String registryToken) {

    public RegistryCredentials {
        username = nullToEmpty(username);
        password = nullToEmpty(password);
        auth = nullToEmpty(auth);
        identityToken = nullToEmpty(identityToken);
        registryToken = nullToEmpty(registryToken);
        // It goes to the registry as an HTTP header; a bearer token is visible ASCII without spaces.
        if (!registryToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw BerthException.invalidArgument("auth.registry_token must be visible ASCII without spaces: it is "
                    + "sent to the registry as a bearer token in an HTTP header");
        }
    }

    public static RegistryCredentials anonymous() {
        return new RegistryCredentials("", "", "", "", "");
    }

    public static RegistryCredentials basic(String username, String password) {
        return new RegistryCredentials(username, password, "", "", "");
    }

    public boolean isAnonymous() {
        return username.isEmpty() && password.isEmpty() && auth.isEmpty() && identityToken.isEmpty()
                && registryToken.isEmpty();
    }

    /** Username and password from the explicit fields, else decoded from {@code auth}. */
    public Optional<UserPassword> userPassword() {
        if (!username.isEmpty()) {
            return Optional.of(new UserPassword(username, password));
        }
        if (auth.isEmpty()) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BerthException.invalidArgument("registry auth is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw BerthException.invalidArgument("registry auth must encode \"username:password\"");
        }
        return Optional.of(new UserPassword(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** A username with its password. */
    public record UserPassword(String username, String password) {
        @Override
        public String toString() {
            return "UserPassword[username=" + username + "]";
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public String toString() {
        return "RegistryCredentials[" + (isAnonymous() ? "anonymous" : "user=" + username) + "]";
    }
}
