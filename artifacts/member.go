package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/setbot/setbot"
)

// opener opens a text afresh for each pass over it: bytes in memory, a zip
// entry, a gzip stream.
type opener func() (io.Reader, func(), error)

func bytesOpener(b []byte) opener {
	return func() (io.Reader, func(), error) { return bytes.NewReader(b), func() {}, nil }
}

// member is what became of one text: a log (masked when it held secrets), a
// configuration (redacted), or something left out, and why.
type member struct {
	name   string
	kind   setbot.ArtifactKind // ArtifactLog or ArtifactConfig; ArtifactUnknown: left out
	why    string              // why it was left out: a phrase, "not a log"
	pass   logPass             // for a log
	config []byte              // the redacted configuration
	fields []string            // the settings redacted in it
}

// inspect reads a text once to classify it. A configuration, or a text that
// holds configuration settings, goes through redact and comes back redacted
// or left out; never as it was. A log comes back with what the pass found;
// writeMasked writes its masked copy.
func inspect(name string, open opener, limit int64, redact ConfigRedactor) member {
	m := member{name: name}
	r, done, err := open()
	if errors.Is(err, errTooBig) {
		return m.leave("is larger than " + HumanBytes(limit))
	}
	if err != nil {
		return m.leave(whyDamaged)
	}
	m.pass, err = maskText(nil, r, limit)
	done()
	switch {
	case errors.Is(err, errTooBig):
		return m.leave("is larger than " + HumanBytes(limit))
	case err != nil:
		return m.leave(whyDamaged)
	case !isText(m.pass.head) || looksLikeStackDump(m.pass.head):
		return m.leave(whyNotLog)
	case m.pass.config || looksLikeJSONDocument(bytes.TrimSpace(stripBOM(m.pass.head))):
		data, err := readAll(open, MaxConfigBytes)
		if err != nil {
			return m.leave("is a configuration larger than " + HumanBytes(MaxConfigBytes))
		}
		out, fields, why, _ := redactConfig(data, redact)
		if why != "" {
			return m.leave(why)
		}
		m.kind, m.config, m.fields = setbot.ArtifactConfig, out, fields
		return m
	case m.pass.long:
		return m.leave("has a line longer than " + HumanBytes(MaxLineBytes) + ", too long to check for secrets")
	}
	m.kind = setbot.ArtifactLog
	return m
}

func (m member) leave(why string) member {
	m.kind, m.why = setbot.ArtifactUnknown, why
	return m
}

// writeMasked writes the masked copy of a log inspect accepted.
func writeMasked(w io.Writer, open opener, limit int64) error {
	r, done, err := open()
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer done()
	_, err = maskText(w, r, limit)
	return err
}

func readAll(open opener, limit int64) ([]byte, error) {
	r, done, err := open()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer done()
	return readLimited(r, limit)
}

// Why something is left out, as phrases that start with a verb: "`x.json`
// is …", "left out: x.json, which is …". None quotes the file.
const (
	whyNoRedactor = "looks like a configuration, but I cannot check configurations right now"
	whyBroken     = "is a Mattermost configuration that is cut short or is not valid JSON, so I cannot redact its secrets"
	whyMixed      = "holds Mattermost configuration settings (such as SqlSettings) inside other text, so I cannot redact them"
	whyNotConfig  = "is JSON, but not a Mattermost configuration I can redact"
	whyNotLog     = "is not a log"
	whyDamaged    = "is damaged or cut short"
)

// redactConfig makes data strict JSON (no byte-order mark, no trailing
// commas) and redacts it. On failure why says, as a phrase, why it cannot be
// kept, and msg is the redactor's own sentence when it gave one. Neither
// quotes data.
func redactConfig(data []byte, redact ConfigRedactor) (out []byte, fields []string, why, msg string) {
	if redact == nil {
		return nil, nil, whyNoRedactor, ""
	}
	doc := bytes.TrimSpace(lenientJSON(data))
	if !looksLikeJSONDocument(doc) {
		if len(doc) > 0 && doc[0] == '{' && !isLogRecord(firstLine(doc)) {
			return nil, nil, whyBroken, ""
		}
		return nil, nil, whyMixed, ""
	}
	out, fields, err := redact(doc)
	if err != nil {
		var e *setbot.Error
		if errors.As(err, &e) && e.Code == setbot.EInvalid {
			return nil, nil, whyNotConfig, e.Message
		}
		return nil, nil, whyNotConfig, ""
	}
	return out, fields, "", ""
}

// leftOut lists members left out for a reason other than not being logs,
// for a note: "x.log, which holds Mattermost configuration settings …; …".
func leftOut(ms []member) string {
	var s []string
	for _, m := range ms {
		if m.kind == setbot.ArtifactUnknown && m.why != whyNotLog {
			s = append(s, path.Base(m.name)+", which "+m.why)
		}
	}
	return strings.Join(s, "; ")
}
