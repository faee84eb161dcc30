package org.zfsguard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback set up in code, found through the ServiceLoader: an XML (Joran)
 * configuration costs about a quarter of a second per start, paid on every
 * hook call. Diagnostics go to standard error; standard output is for people
 * and scripts.
 */
public final class Logging extends ContextAwareBase implements Configurator {

    private static volatile Logger rootLogger;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("zfsguard: %level: %msg%n%ex");
        encoder.start();
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(GlobalOptions.verbose() ? Level.DEBUG : Level.WARN);
        rootLogger = root;
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void setVerbose(boolean verbose) {
        Logger root = rootLogger;
        if (root != null) {
            root.setLevel(verbose ? Level.DEBUG : Level.WARN);
        }
    }
}
