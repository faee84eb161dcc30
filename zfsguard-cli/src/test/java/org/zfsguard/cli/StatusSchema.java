package org.zfsguard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** The JSON Schema the package ships for status --json, read from the packaging sources. */
final class StatusSchema {
    static final Path FILE = Path.of("..", "debian-resources", "doc", "status.schema.json");
    private static JsonSchema schema;

    private StatusSchema() {
    }

    /** Every way {@code json} breaks the schema; empty when it conforms. */
    static synchronized List<String> problems(String json) {
        if (schema == null) {
            try {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(Files.readString(FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema.validate(json, InputFormat.JSON).stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
