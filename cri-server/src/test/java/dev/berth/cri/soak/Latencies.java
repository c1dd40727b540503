package dev.berth.cri.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Call durations per RPC, shared by the workers; percentiles for the report. */
final class Latencies {

    private final Map<String, List<Long>> micros = new TreeMap<>();

    <T> T time(String rpc, Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        long took = (System.nanoTime() - start) / 1000;
        synchronized (this) {
            micros.computeIfAbsent(rpc, k -> new ArrayList<>()).add(took);
        }
        return result;
    }

    synchronized String report() {
        StringBuilder out = new StringBuilder();
        micros.forEach((rpc, values) -> {
            List<Long> sorted = values.stream().sorted().toList();
            out.append("soak latency %-17s n=%-5d p50=%6.1f ms p90=%6.1f ms p99=%6.1f ms max=%6.1f ms%n".formatted(rpc,
                    sorted.size(), at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
                    sorted.get(sorted.size() - 1) / 1000.0));
        });
        return out.toString();
    }

    private static double at(List<Long> sorted, double quantile) {
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1000.0;
    }
}
