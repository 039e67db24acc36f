package artifacts

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/setbot/setbot"
)

// entry is one regular file of an archive that is not a support packet.
type entry struct {
	name string
	open opener
}

// archiveWriter rebuilds an archive in the format it came in.
type archiveWriter interface {
	add(name string, content func(io.Writer) error) error
	Close() error
}

// bundleTally is what the members of an archive add up to.
type bundleTally struct {
	logs, lines, masked int
	json                bool
	configs             []member
	fields              []string // "config.json: SqlSettings.DataSource"
	skipped             []string // not logs
	changed             bool     // some member is masked, redacted or left out
}

// checkBundle checks each entry of an archive of logs (zip, tar, tar.gz),
// and keeps the archive only as rebuilt from its checked members: logs
// masked, configurations redacted, everything else left out. When nothing
// had to change the original is fine and there is no Blob. An archive that
// holds a configuration and no logs is taken as that configuration. The
// rebuilt archive is written to a temporary file as it is made.
func (k *checker) checkBundle(f setbot.File, format string, entries []entry, rebuild func(io.Writer) archiveWriter) Checked {
	name := displayName(f.Name)
	var t bundleTally
	members := make([]member, len(entries))
	var unpacked int64
	for i, e := range entries {
		m := inspect(e.name, e.open, MaxLogBytes, k.redact)
		if unpacked += m.pass.n; unpacked > MaxUnpackedBytes { // gzip inside the archive
			return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, HumanBytes(MaxUnpackedBytes))
		}
		t.add(&m)
		members[i] = m
	}
	if t.logs == 0 {
		return configOrNothing(f, &t, members)
	}
	a := setbot.Attachment{Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: f.Content.Len(), Redacted: t.fields, Note: t.note(format, members)}
	if !t.changed {
		return Checked{Attachment: a}
	}
	return k.rewritten(f, a, func(out io.Writer) error { return writeBundle(rebuild(out), entries, members) })
}

// configOrNothing is what an archive without logs is: the configuration it
// holds, redacted, or a refusal that says what it held.
func configOrNothing(f setbot.File, t *bundleTally, members []member) Checked {
	name := displayName(f.Name)
	if len(t.configs) > 0 {
		c := t.configs[0]
		a := setbot.Attachment{Kind: setbot.ArtifactConfig, Name: path.Base(c.name), FileID: f.ID, Size: int64(len(c.config)), Redacted: c.fields,
			Note: configNote(c.fields) + ", taken out of " + strings.Trim(name, "`")}
		return withBlob(a, keptBytes(c.config))
	}
	if why := leftOut(members); why != "" {
		return refuse(f, "%s holds nothing I can keep: %s. %s", name, why, howTo(setbot.ArtifactLog))
	}
	return refuse(f, "%s holds no text logs. %s", name, howTo(setbot.ArtifactLog))
}

func (t *bundleTally) add(m *member) {
	switch m.kind {
	case setbot.ArtifactLog:
		t.logs++
		t.lines += m.pass.lines
		t.masked += m.pass.masked
		t.json = t.json || isLogRecord(firstLine(m.pass.head))
		t.changed = t.changed || m.pass.masked > 0
	case setbot.ArtifactConfig:
		t.configs = append(t.configs, *m)
		for _, fl := range m.fields {
			t.fields = append(t.fields, path.Base(m.name)+": "+fl)
		}
		t.changed = true
	default:
		if m.why == whyNotLog {
			t.skipped = append(t.skipped, path.Base(m.name))
		}
		t.changed = true
	}
	m.pass.head = nil // classified: do not hold a head per member
}

func (t *bundleTally) note(format string, members []member) string {
	kind := "plain text"
	if t.json {
		kind = "JSON lines"
	}
	note := fmt.Sprintf("%s of %d %s log(s), %s lines", format, t.logs, kind, thousands(t.lines)) + maskedNote(t.masked)
	for _, c := range t.configs {
		note += fmt.Sprintf("; %s is a Mattermost configuration: %s", path.Base(c.name), redactedCounts(c.fields))
	}
	if len(t.skipped) > 0 {
		note += "; not logs, ignored: " + strings.Join(t.skipped, ", ")
	}
	if why := leftOut(members); why != "" {
		note += "; left out: " + why
	}
	return note
}

// writeBundle writes the kept members: masked logs and redacted
// configurations, under their own names.
func writeBundle(w archiveWriter, entries []entry, members []member) error {
	for i, m := range members {
		var err error
		switch m.kind {
		case setbot.ArtifactLog:
			open := entries[i].open
			err = w.add(m.name, func(out io.Writer) error { return writeMasked(out, open, MaxLogBytes) })
		case setbot.ArtifactConfig:
			err = w.add(m.name, func(out io.Writer) error { _, err := out.Write(m.config); return err })
		}
		if err != nil {
			return fmt.Errorf("rebuild %s: %w", path.Base(m.name), err)
		}
	}
	return w.Close()
}
