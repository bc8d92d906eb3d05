package org.mooseng.client;

/** Attributes the master reported {@code ageNanos} nanoseconds ago. */
public record RecentStat(FileStat stat, long ageNanos) {
}
