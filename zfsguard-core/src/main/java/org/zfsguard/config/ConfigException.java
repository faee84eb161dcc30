package org.zfsguard.config;

/** The configuration file exists but cannot be used; the message names every problem. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
