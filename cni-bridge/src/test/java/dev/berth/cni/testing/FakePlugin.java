package dev.berth.cni.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A scriptable CNI plugin (bash + jq) that logs every call to {@code calls.log} next to itself. Its config keys:
 * {@code mode} = pass (default) | fail-add | fail-del; {@code fakeAddress} = the address an ADD without prevResult
 * reports. STATUS fails with code 50 while a file named {@code unavailable} sits next to it.
 */
public final class FakePlugin {

    private static final String SCRIPT = """
            #!/bin/bash
            dir=$(dirname "$0")
            input=$(cat)
            echo "$CNI_COMMAND ${CNI_CONTAINERID:--} $(jq -c '{prev: (.prevResult != null), valid: .["cni.dev/valid-attachments"], runtimeConfig}' <<<"$input")" >> "$dir/calls.log"
            mode=$(jq -r '.mode // "pass"' <<<"$input")
            version=$(jq -r '.cniVersion' <<<"$input")
            case "$CNI_COMMAND" in
            VERSION) echo '{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}' ;;
            ADD)
              if [ "$mode" = fail-add ]; then
                echo "{\\"cniVersion\\":\\"$version\\",\\"code\\":123,\\"msg\\":\\"fake refuses\\",\\"details\\":\\"asked to fail\\"}"
                exit 1
              fi
              if jq -e '.prevResult' >/dev/null <<<"$input"; then
                jq -c '.prevResult' <<<"$input"
              else
                address=$(jq -r '.fakeAddress' <<<"$input")
                echo "{\\"cniVersion\\":\\"$version\\",\\"interfaces\\":[{\\"name\\":\\"eth0\\",\\"sandbox\\":\\"$CNI_NETNS\\"}],\\"ips\\":[{\\"address\\":\\"$address\\",\\"interface\\":0}]}"
              fi ;;
            DEL)
              if [ "$mode" = fail-del ]; then
                echo "{\\"cniVersion\\":\\"$version\\",\\"code\\":124,\\"msg\\":\\"fake DEL broke\\"}"
                exit 1
              fi ;;
            STATUS)
              if [ -e "$dir/unavailable" ]; then
                echo "{\\"cniVersion\\":\\"$version\\",\\"code\\":50,\\"msg\\":\\"fake not available\\"}"
                exit 1
              fi ;;
            esac
            exit 0
            """;

    private FakePlugin() {
    }

    /** Installs the script as {@code <binDir>/<name>}. */
    public static Path install(Path binDir, String name) {
        Path binary = binDir.resolve(name);
        HostFixture.write(binary, SCRIPT);
        try {
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return binary;
    }

    public static List<String> calls(Path binDir) {
        Path log = binDir.resolve("calls.log");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
