package org.mooseng.cli.role;

/** A started daemon as the launcher sees it: something to wait for and something to stop. */
public record RunningRole(Waiter waiter, Stopper stopper) {
    @FunctionalInterface
    public interface Waiter {
        void awaitTermination() throws InterruptedException;
    }

    @FunctionalInterface
    public interface Stopper {
        void close() throws Exception;
    }
}
