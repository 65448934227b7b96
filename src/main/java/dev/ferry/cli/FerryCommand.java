package dev.ferry.cli;

/** Entry point of ferry.jar; the picocli command tree is built by the CLI work. */
public final class FerryCommand {
    private FerryCommand() {}

    public static void main(String[] args) {
        System.err.println("ferry: no commands yet");
        System.exit(2);
    }
}
