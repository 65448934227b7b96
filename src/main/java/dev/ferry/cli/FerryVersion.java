package dev.ferry.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code ferry --version}: the jar's implementation version, or "development" when run from classes. */
final class FerryVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = FerryVersion.class.getPackage().getImplementationVersion();
        return new String[]{"ferry " + (v == null ? "development build" : v) + ", Java " + Runtime.version()};
    }
}
