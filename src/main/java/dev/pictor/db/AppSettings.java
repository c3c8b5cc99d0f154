package dev.pictor.db;

import java.util.function.Supplier;

/** Values every node must agree on (such as signing keys), created once by whichever node is first. */
public final class AppSettings {
    private final Jdbc jdbc;

    public AppSettings(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored value, or {@code initial} stored now; when two nodes race, both get the winner's value. */
    public String getOrCreate(String name, Supplier<String> initial) {
        var existing = jdbc.queryOne("SELECT setting_value FROM app_setting WHERE setting_name = ?", rs -> rs.getString("setting_value"), name);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            jdbc.update("INSERT INTO app_setting (setting_name, setting_value) VALUES (?, ?)", name, initial.get());
        } catch (DataAccessException e) {
            if (!jdbc.dialect().isUniqueViolation(e.sqlException())) {
                throw e;
            }
        }
        return jdbc.queryOne("SELECT setting_value FROM app_setting WHERE setting_name = ?", rs -> rs.getString("setting_value"), name).orElseThrow();
    }
}
