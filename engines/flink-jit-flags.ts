/**
 * JIT flags of the TaskManagers that `startFlinkCluster` starts, unless the caller gives its own
 * (`taskManagerJitFlags`; `tributary flink-cluster start --taskManagerJitFlags="…"`).
 *
 * Pinned empty, the JVM's own defaults, after measuring the alternatives (session 12,
 * docs/runners.md "The TaskManagers' JIT at two workers"). With Tributary the SDK harness
 * processes do the pipeline's work and a TaskManager moves and sorts a few thousand packed
 * records per job, yet its C2 compiler recompiles Flink's sort (`QuickSort.sortInternal`) in
 * every job: 0.4–0.8 CPU-s of compiler threads inside a two-worker sessions window. Running the
 * TaskManagers on C1 alone (`-XX:TieredStopAtLevel=1`) removed that compiling (0.1 CPU-s left)
 * but not the time: in alternating runs on two clusters the two-worker throughput was equal
 * (×1.01) and the one-worker tail slower (C1's code for Flink's own path); keeping only the sort
 * out of the compilers (`-XX:CompileCommand=exclude,…QuickSort::sortInternal`) would leave a
 * large sort interpreted, which no user's cluster should get by default. `bench/flink/cluster.ts
 * --variantTaskManagerJitFlags="…"` compares a setting against these in alternating runs.
 */
export const DEFAULT_TASK_MANAGER_JIT_FLAGS: readonly string[] = [];
