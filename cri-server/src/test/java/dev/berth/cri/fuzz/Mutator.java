package dev.berth.cri.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Field-level and byte-level mutations of valid requests, driven by one seeded {@link Random} so that a run is
 * reproduced by its seed. Works on any message through its descriptor, so every CRI request type is covered without a
 * hand-written mutator per type.
 */
final class Mutator {

    /**
     * A string that stands for invalid UTF-8: the typed API cannot hold such bytes, so the request carries this
     * placeholder and {@link #serialize} swaps it for bytes of the same length that are not UTF-8, which keeps every
     * protobuf length prefix valid.
     */
    static final String BAD_UTF8 = "@@BADUTF8@@";
    private static final byte[] BAD_UTF8_BYTES = BAD_UTF8.getBytes(StandardCharsets.US_ASCII);

    private final Random random;
    private final String marker;
    private final Supplier<List<String>> knownIds;

    /**
     * @param marker a name no other process uses; every path the mutator makes names it, so a file written from a
     *               fuzzed request can be found on the host
     * @param knownIds IDs of objects that exist now (pods, containers, images), for prefix and cross-kind mutations
     */
    Mutator(Random random, String marker, Supplier<List<String>> knownIds) {
        this.random = random;
        this.marker = marker;
        this.knownIds = knownIds;
    }

    /** The path name a traversal aims at; any file so named outside berth's directories is an escape. */
    String escapeName() {
        return marker + "-escape";
    }

    /** One to three field mutations of the seed. */
    Message mutate(Message seed, List<String> applied) {
        Message.Builder builder = seed.toBuilder();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            mutateOne(builder, builder.getDescriptorForType().getName(), 0, applied);
        }
        return builder.build();
    }

    private void mutateOne(Message.Builder builder, String path, int depth, List<String> applied) {
        List<FieldDescriptor> fields = builder.getDescriptorForType().getFields();
        if (fields.isEmpty()) {
            // Only unknown fields can change an empty message.
            builder.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(9999, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFromUtf8(hugeString(100))).build())
                    .build());
            applied.add(path + ": unknown field 9999");
            return;
        }
        // Prefer fields the seed sets: that is where the handlers look.
        List<FieldDescriptor> set = new ArrayList<>();
        for (FieldDescriptor field : fields) {
            if (field.isRepeated() ? builder.getRepeatedFieldCount(field) > 0 : builder.hasField(field)) {
                set.add(field);
            }
        }
        FieldDescriptor field = !set.isEmpty() && random.nextInt(10) < 7
                ? set.get(random.nextInt(set.size())) : fields.get(random.nextInt(fields.size()));
        String where = path + "." + field.getName();
        if (field.isMapField()) {
            mutateMap(builder, field, where, applied);
        } else if (field.isRepeated()) {
            mutateRepeated(builder, field, where, depth, applied);
        } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            if (random.nextInt(5) == 0 || depth > 8) {
                builder.clearField(field);
                applied.add(where + ": cleared");
            } else {
                mutateOne(builder.getFieldBuilder(field), where, depth + 1, applied);
            }
        } else {
            Object value = scalar(field, builder.hasField(field) ? builder.getField(field) : null);
            builder.setField(field, value);
            applied.add(where + " = " + describe(value));
        }
    }

    private void mutateMap(Message.Builder builder, FieldDescriptor field, String where, List<String> applied) {
        switch (random.nextInt(4)) {
            case 0 -> {
                builder.clearField(field);
                applied.add(where + ": cleared");
            }
            case 1 -> {
                // The kubelet never sends this many, a hostile client can.
                for (int i = 0; i < 10_000; i++) {
                    builder.addRepeatedField(field, mapEntry(builder, field, "fuzz.example/key-" + i, "v" + i));
                }
                applied.add(where + ": 10000 entries");
            }
            default -> {
                String key = text(null);
                String value = text(null);
                builder.addRepeatedField(field, mapEntry(builder, field, key, value));
                applied.add(where + "[" + describe(key) + "] = " + describe(value));
            }
        }
    }

    private static Message mapEntry(Message.Builder builder, FieldDescriptor field, String key, String value) {
        Message.Builder entry = builder.newBuilderForField(field);
        FieldDescriptor keyField = entry.getDescriptorForType().findFieldByName("key");
        FieldDescriptor valueField = entry.getDescriptorForType().findFieldByName("value");
        entry.setField(keyField, key);
        if (valueField.getJavaType() == FieldDescriptor.JavaType.STRING) {
            entry.setField(valueField, value);
        } else if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            entry.setField(valueField, entry.newBuilderForField(valueField).build());
        }
        return entry.build();
    }

    private void mutateRepeated(Message.Builder builder, FieldDescriptor field, String where, int depth,
                                List<String> applied) {
        int count = builder.getRepeatedFieldCount(field);
        boolean message = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
        switch (random.nextInt(5)) {
            case 0 -> {
                builder.clearField(field);
                applied.add(where + ": cleared");
            }
            case 1 -> {
                if (count > 0) {
                    Object element = builder.getRepeatedField(field, random.nextInt(count));
                    int copies = random.nextBoolean() ? 1 : (int) Math.min(1000, Math.max(1,
                            REPEAT_BUDGET_BYTES / Math.max(1, sizeOf(element))));
                    for (int i = 0; i < copies; i++) {
                        builder.addRepeatedField(field, element);
                    }
                    applied.add(where + ": an element duplicated " + copies + " times");
                } else {
                    addElement(builder, field, where, applied);
                }
            }
            case 2 -> {
                if (message && count > 0 && depth <= 8) {
                    int index = random.nextInt(count);
                    mutateOne(builder.getRepeatedFieldBuilder(field, index), where + "[" + index + "]", depth + 1,
                            applied);
                } else if (count > 0) {
                    int index = random.nextInt(count);
                    Object value = scalar(field, builder.getRepeatedField(field, index));
                    builder.setRepeatedField(field, index, value);
                    applied.add(where + "[" + index + "] = " + describe(value));
                } else {
                    addElement(builder, field, where, applied);
                }
            }
            case 3 -> {
                if (!message) {
                    for (int i = 0; i < 10_000; i++) {
                        builder.addRepeatedField(field, shortened(scalar(field, null)));
                    }
                    applied.add(where + ": 10000 elements");
                } else {
                    addElement(builder, field, where, applied);
                }
            }
            default -> addElement(builder, field, where, applied);
        }
    }

    private void addElement(Message.Builder builder, FieldDescriptor field, String where, List<String> applied) {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            Message.Builder element = builder.newBuilderForField(field);
            List<String> inner = new ArrayList<>();
            mutateOne(element, where + "[+]", 9, inner);
            builder.addRepeatedField(field, element.build());
            applied.add(where + ": added " + inner);
        } else {
            Object value = scalar(field, null);
            builder.addRepeatedField(field, value);
            applied.add(where + " += " + describe(value));
        }
    }

    /**
     * Copies of one element stop near this many bytes: past the daemon's message limit (16 MiB by default), so that
     * limit is still met, but short of the gigabytes a copied megabyte string would make the test's own client buffer.
     */
    private static final long REPEAT_BUDGET_BYTES = 96L << 20;

    private static long sizeOf(Object element) {
        if (element instanceof Message m) {
            return m.getSerializedSize();
        }
        if (element instanceof String s) {
            return s.length();
        }
        return element instanceof ByteString b ? b.size() : 8;
    }

    // Ten thousand elements test the count, not the size: a huge string among them would make a multi-GB request.
    private static Object shortened(Object value) {
        return value instanceof String s && s.length() > 256 ? s.substring(0, 256) : value;
    }

    private Object scalar(FieldDescriptor field, Object current) {
        return switch (field.getJavaType()) {
            case STRING -> text(current instanceof String s ? s : null);
            case INT -> pick(0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 9999, random.nextInt());
            case LONG -> pick(0L, -1L, -5L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53, random.nextLong());
            case BOOLEAN -> current instanceof Boolean b ? !b : random.nextBoolean();
            case FLOAT -> pick(Float.NaN, Float.POSITIVE_INFINITY, -1f, Float.MAX_VALUE);
            case DOUBLE -> pick(Double.NaN, Double.NEGATIVE_INFINITY, -1d, Double.MAX_VALUE);
            case BYTE_STRING -> ByteString.copyFrom(randomBytes(random.nextInt(64)));
            case ENUM -> enumValue(field);
            case MESSAGE -> throw new IllegalArgumentException("not a scalar: " + field.getFullName());
        };
    }

    private EnumValueDescriptor enumValue(FieldDescriptor field) {
        // Numbers the enum does not define, as a newer or broken client would send them.
        int number = switch (random.nextInt(4)) {
            case 0 -> 9999;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            default -> Integer.MIN_VALUE;
        };
        if (random.nextInt(4) == 0) {
            List<EnumValueDescriptor> values = field.getEnumType().getValues();
            return values.get(random.nextInt(values.size()));
        }
        return field.getEnumType().findValueByNumberCreatingIfUnknown(number);
    }

    /** A hostile replacement for a string field, sometimes derived from its current value. */
    String text(String current) {
        String base = current == null || current.isEmpty() ? "x" : current;
        List<String> ids = knownIds.get();
        String id = ids.isEmpty() ? "0123456789abcdef" : ids.get(random.nextInt(ids.size()));
        return switch (random.nextInt(26)) {
            case 0 -> "";
            case 1 -> hugeString(pick(4096, 65_536, 1 << 20));
            case 2 -> "../../../../../../../../../../tmp/" + escapeName();
            case 3 -> base + "/../../../../../../../../../../tmp/" + escapeName();
            case 4 -> "..";
            case 5 -> "/..";
            case 6 -> base + "\0" + "x";
            case 7 -> "\0";
            case 8 -> "/";
            case 9 -> "/tmp/" + marker + "-abs";
            case 10 -> "\u202e\ud83d\ude00\u00e9\uffff";
            case 11 -> "line\nbreak\r\t\u007f";
            case 12 -> BAD_UTF8;
            case 13 -> id.substring(0, Math.min(id.length(), 1 + random.nextInt(3)));
            case 14 -> id;
            case 15 -> HexFormat.of().formatHex(randomBytes(32));
            case 16 -> HexFormat.of().formatHex(randomBytes(33)).substring(0, 65);
            case 17 -> "%s%n${jndi:ldap://127.0.0.1:1/x}";
            case 18 -> pick("-1", "99999999999999999999", "1e400", "0x");
            case 19 -> pick(" ", "\t", " " + base + " ");
            case 20 -> pick("localhost:1/fuzz/img:1", "UPPER/Case:tag", "a:b:c@d", "sha256:zz",
                    "127.0.0.1:1/x@sha256:" + "0".repeat(64), "x/../../y:1", "..:1/y", "docker.io/library/");
            case 21 -> base.repeat(Math.max(1, 50_000 / Math.max(1, base.length())));
            case 22 -> base.substring(0, base.length() / 2);
            case 23 -> base + "/" + BAD_UTF8;
            case 24 -> "./" + escapeName();
            default -> "/proc/self/root/tmp/" + escapeName();
        };
    }

    /** The request's bytes, with every invalid-UTF-8 placeholder replaced by bytes that are not UTF-8. */
    static byte[] serialize(Message request) {
        byte[] bytes = request.toByteArray();
        for (int i = indexOf(bytes, 0); i >= 0; i = indexOf(bytes, i + BAD_UTF8_BYTES.length)) {
            bytes[i] = (byte) 0xff;
            bytes[i + 1] = (byte) 0xfe;
            bytes[i + 2] = (byte) 0xc0;
            bytes[i + 3] = (byte) 0x80;
        }
        return bytes;
    }

    private static int indexOf(byte[] bytes, int from) {
        outer:
        for (int i = from; i <= bytes.length - BAD_UTF8_BYTES.length; i++) {
            for (int j = 0; j < BAD_UTF8_BYTES.length; j++) {
                if (bytes[i + j] != BAD_UTF8_BYTES[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A byte-level mutation of serialized bytes: what a broken or hostile encoder puts on the socket. */
    byte[] mutateBytes(byte[] valid, List<String> applied) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(8)) {
            case 0 -> {
                if (bytes.length > 0) {
                    int cut = random.nextInt(bytes.length);
                    applied.add("truncated at " + cut + " of " + bytes.length);
                    return Arrays.copyOf(bytes, cut);
                }
                applied.add("empty");
                return bytes;
            }
            case 1 -> {
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && bytes.length > 0; i++) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                applied.add(flips + " bit flips");
                return bytes;
            }
            case 2 -> {
                byte[] junk = randomBytes(1 + random.nextInt(32));
                int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                applied.add(junk.length + " random bytes inserted at " + at);
                return concat(Arrays.copyOf(bytes, at), junk, Arrays.copyOfRange(bytes, at, bytes.length));
            }
            case 3 -> {
                // A length prefix that promises far more than follows.
                applied.add("field 1 with length 2^32-1");
                return concat(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, bytes);
            }
            case 4 -> {
                applied.add("unknown fields 9999 appended");
                return concat(bytes, new byte[] {(byte) 0xfa, (byte) 0xe1, 0x04, 0x03, 'a', 'b', 'c',
                        (byte) 0xf8, (byte) 0xe1, 0x04, 0x01});
            }
            case 5 -> {
                int depth = pick(100, 1000, 20_000);
                applied.add("groups nested " + depth + " deep");
                return concat(bytes, nestedGroups(depth));
            }
            case 6 -> {
                applied.add("wire type 6 and 7 tags");
                return concat(bytes, new byte[] {0x0e, 0x0f, 0x01});
            }
            default -> {
                applied.add("random " + bytes.length + " bytes");
                return randomBytes(Math.max(1, bytes.length));
            }
        }
    }

    /** Start-group tags of an unknown field nested {@code depth} deep, closed again. */
    static byte[] nestedGroups(int depth) {
        // Field 15, wire type 3 (start group) = 0x7b; end group = 0x7c.
        byte[] bytes = new byte[depth * 2];
        Arrays.fill(bytes, 0, depth, (byte) 0x7b);
        Arrays.fill(bytes, depth, depth * 2, (byte) 0x7c);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String hugeString(int length) {
        return "a".repeat(length);
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    static String describe(Object value) {
        String text = String.valueOf(value instanceof EnumValueDescriptor e ? e.getName() + "(" + e.getNumber() + ")"
                : value);
        text = text.replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r");
        return text.length() > 60 ? "\"" + text.substring(0, 40) + "...\" (" + text.length() + " chars)"
                : "\"" + text + "\"";
    }
}
