package artifacts

import (
	"errors"
	"fmt"

	"github.com/setbot/setbot"
)

// checkConfig redacts a configuration candidate. Only the redacted copy is
// ever kept: Blob is always set on success.
func checkConfig(f setbot.File, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	if len(f.Data) > MaxConfigBytes {
		return refuse(f, "%s is %s; a Mattermost config.json is far smaller (I accept up to %s). %s", name, humanBytes(int64(len(f.Data))), humanBytes(MaxConfigBytes), howTo(setbot.ArtifactConfig))
	}
	if redact == nil {
		return refuse(f, "%s looks like a configuration, but I cannot check configurations right now.", name)
	}
	out, fields, err := redact(f.Data)
	if err != nil {
		var e *setbot.Error
		if errors.As(err, &e) && e.Code == setbot.EInvalid {
			return refuse(f, "%s: %s %s", name, e.Message, howTo(setbot.ArtifactConfig))
		}
		return refuse(f, "%s is JSON, but not a Mattermost configuration. %s", name, howTo(setbot.ArtifactConfig))
	}
	a := setbot.Attachment{
		Kind: setbot.ArtifactConfig, Name: f.Name, FileID: f.ID, Size: int64(len(out)),
		Redacted: fields, Note: configNote(fields),
	}
	return withBlob(a, out)
}

func configNote(fields []string) string {
	switch len(fields) {
	case 0:
		return "Mattermost configuration; no secrets found to redact"
	case 1:
		return "Mattermost configuration; 1 secret setting redacted"
	}
	return fmt.Sprintf("Mattermost configuration; %d secret settings redacted", len(fields))
}
