package org.zfsguard.cli;

import java.util.List;

import org.zfsguard.kernel.RejectedEntry;
import org.zfsguard.readiness.InitramfsFacts;
import org.zfsguard.readiness.KernelFacts;
import org.zfsguard.readiness.KernelReadiness;
import org.zfsguard.readiness.ModuleFacts;
import org.zfsguard.readiness.ReadinessReport;
import org.zfsguard.zfs.OpenZfsMeta;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * The JSON form of a readiness report. Field names are a documented interface
 * (zfsguard(8)): built by hand rather than by reflection so that renaming a
 * Java field can never change them. {@code schema} changes when a field does.
 * Every enum is written as its Java name (UPPER_SNAKE_CASE), as in the event journal;
 * the schema is shipped as /usr/share/doc/zfsguard/status.schema.json.
 */
final class ReportJson {
    /** 2: kernel verdicts spelled like every other enum (NOT_IN_INITRAMFS); next steps keep --root. */
    static final int SCHEMA = 2;

    private ReportJson() {
    }

    static String toJson(ReadinessReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("root", r.root());
        o.addProperty("zfsInstalled", r.zfsInstalled());
        JsonObject overall = new JsonObject();
        overall.addProperty("verdict", r.overall().name());
        overall.addProperty("reason", r.overallReason());
        o.add("overall", overall);
        JsonObject running = new JsonObject();
        running.addProperty("kernel", r.running().release() == null ? null : r.running().release().text());
        running.addProperty("source", r.running().reason());
        o.add("running", running);
        JsonObject next = new JsonObject();
        next.addProperty("kernel", r.nextBoot().release() == null ? null : r.nextBoot().release().text());
        next.addProperty("rule", r.nextBoot().rule().name());
        next.addProperty("detail", r.nextBoot().detail());
        next.addProperty("entry", r.nextBoot().entry());
        o.add("nextBoot", next);
        OpenZfsMeta meta = r.openzfs().meta();
        if (meta == null && r.openzfs().metaPath() == null) {
            o.add("openzfs", JsonNull.INSTANCE);
        } else {
            JsonObject z = new JsonObject();
            z.addProperty("meta", r.openzfs().metaPath());
            z.addProperty("version", meta == null ? null : meta.version());
            z.addProperty("release", meta == null ? null : meta.release());
            z.addProperty("linuxMinimum", meta == null ? null : meta.linuxMinimum().toString());
            z.addProperty("linuxMaximum", meta == null ? null : meta.linuxMaximum().toString());
            z.addProperty("problem", r.openzfs().problem());
            o.add("openzfs", z);
        }
        JsonObject initramfs = new JsonObject();
        initramfs.addProperty("required", r.initramfsRequired());
        initramfs.addProperty("reason", r.initramfsReason());
        o.add("initramfs", initramfs);
        JsonArray kernels = new JsonArray();
        for (KernelReadiness k : r.kernels()) {
            kernels.add(kernel(k));
        }
        o.add("kernels", kernels);
        JsonArray rejected = new JsonArray();
        for (RejectedEntry e : r.rejected()) {
            JsonObject j = new JsonObject();
            j.addProperty("path", e.path());
            j.addProperty("reason", e.reason());
            j.addProperty("leftover", e.leftover());
            rejected.add(j);
        }
        o.add("rejected", rejected);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o);
    }

    private static JsonObject kernel(KernelReadiness k) {
        KernelFacts f = k.facts();
        JsonObject j = new JsonObject();
        j.addProperty("kernel", f.release().text());
        j.addProperty("running", k.running());
        j.addProperty("nextBoot", k.nextBoot());
        j.addProperty("installed", f.installed() != null);
        j.addProperty("modulesDir", f.installed() == null ? null : f.installed().modulesDir());
        j.addProperty("image", f.installed() == null ? null : f.installed().image());
        j.addProperty("package", f.installed() == null ? null : f.installed().owner());
        j.add("zfs", module(f.zfs(), f));
        j.add("spl", module(f.spl(), f));
        j.add("missingModules", strings(f.missingModules()));
        JsonObject dkms = new JsonObject();
        dkms.addProperty("installed", f.dkmsInstalled());
        dkms.add("built", strings(f.dkmsBuilt()));
        j.add("dkms", dkms);
        InitramfsFacts i = f.initramfs();
        JsonObject ij = new JsonObject();
        ij.addProperty("state", i == null ? null : i.state().name());
        ij.addProperty("file", i == null ? null : i.file());
        ij.addProperty("format", i == null ? null : i.format());
        ij.addProperty("vermagic", i == null ? null : i.vermagicRelease());
        ij.addProperty("version", i == null ? null : i.version());
        ij.addProperty("detail", i == null ? null : i.detail());
        j.add("initramfs", ij);
        j.addProperty("verdict", k.verdict().name());
        j.addProperty("reason", k.judgement().reason());
        j.addProperty("next", k.judgement().next() == null ? null : GlobalOptions.command(k.judgement().next()));
        return j;
    }

    private static com.google.gson.JsonElement module(ModuleFacts m, KernelFacts f) {
        if (m == null) {
            return JsonNull.INSTANCE;
        }
        JsonObject j = new JsonObject();
        j.addProperty("path", m.path());
        j.addProperty("vermagic", m.vermagicRelease());
        j.addProperty("vermagicMatches", m.problem() == null && f.release().text().equals(m.vermagicRelease()));
        j.addProperty("version", m.version());
        j.addProperty("srcversion", m.srcversion());
        j.addProperty("architecture", m.architecture());
        j.addProperty("problem", m.problem());
        return j;
    }

    private static JsonArray strings(List<String> list) {
        JsonArray a = new JsonArray();
        list.forEach(a::add);
        return a;
    }
}
