package dev.herald.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording: CPU samples ({@code jdk.ExecutionSample}) by top frame, and sampled allocation
 * ({@code jdk.ObjectAllocationSample}, by weight) by top frame and by class.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.JfrTop recording.jfr [top=20]</pre>
 */
public final class JfrTop {
    private JfrTop() {}

    public static void main(String[] args) throws Exception {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Map<String, Long> cpu = new HashMap<>();
        Map<String, Long> cpuByOwner = new HashMap<>();
        Map<String, Long> nativeSamples = new HashMap<>();
        Map<String, Long> allocSites = new HashMap<>();
        Map<String, Long> allocClasses = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    cpu.merge(topFrame(e), 1L, Long::sum);
                    cpuByOwner.merge(owner(e), 1L, Long::sum);
                }
                case "jdk.NativeMethodSample" -> nativeSamples.merge(topFrame(e), 1L, Long::sum);
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    allocSites.merge(topFrame(e), weight, Long::sum);
                    allocClasses.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                }
                default -> { }
            }
        }
        print("CPU samples by top frame", cpu, top, "samples");
        print("CPU samples by owner (the first frame from the stack top that is Herald, a library, or else the JDK area)",
                cpuByOwner, top, "samples");
        print("Threads parked in native code (jdk.NativeMethodSample) by top frame", nativeSamples, 10, "samples");
        print("Allocation (sampled weight) by top frame", allocSites, top, "MB");
        print("Allocation (sampled weight) by class", allocClasses, top, "MB");
    }

    private static String topFrame(RecordedEvent e) {
        if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
            return "(no stack)";
        }
        RecordedFrame f = e.getStackTrace().getFrames().get(0);
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** Who a sample is spent for: the nearest non-JDK frame's package (3 segments), else the top frame's JDK package. */
    private static String owner(RecordedEvent e) {
        if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
            return "(no stack)";
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.") && !type.startsWith("javax.")) {
                return prefix(type, 3);
            }
        }
        return "JDK " + prefix(frames.get(0).getMethod().getType().getName(), 4);
    }

    private static String prefix(String type, int segments) {
        String[] parts = type.split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(segments, parts.length - 1)));
    }

    private static void print(String title, Map<String, Long> counts, int top, String unit) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("%n%s (total %,d %s)%n%n| %% | %s | frame |%n|---:|---:|---|%n", title,
                unit.equals("MB") ? total >> 20 : total, unit, unit);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf("| %.1f | %,d | `%s` |%n", 100.0 * en.getValue() / total,
                        unit.equals("MB") ? en.getValue() >> 20 : en.getValue(), en.getKey()));
    }
}
