package artifacts

import (
	"fmt"
	"strings"

	"github.com/setbot/setbot"
)

// checkConfig redacts a configuration candidate: a JSON object, or any text
// that holds configuration settings. Only the redacted copy is ever kept:
// Blob is always set on success. A candidate that cannot be redacted is
// refused, with a sentence that never quotes it.
func checkConfig(f setbot.File, data []byte, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	if len(data) > MaxConfigBytes {
		return refuseLargeConfig(f, int64(len(data)))
	}
	out, fields, why, msg := redactConfig(data, redact)
	switch {
	case msg != "":
		return refuse(f, "%s: %s %s", name, msg, howTo(setbot.ArtifactConfig))
	case why == whyMixed:
		return refuse(f, "%s %s; I did not keep it. Upload logs without configuration in them; for the configuration, upload config.json on its own (`mmctl config show --json > config.json`).", name, why)
	case why != "":
		return refuse(f, "%s %s; I did not keep it. %s", name, why, howTo(setbot.ArtifactConfig))
	}
	a := setbot.Attachment{
		Kind: setbot.ArtifactConfig, Name: configName(f.Name), FileID: f.ID, Size: int64(len(out)),
		Redacted: fields, Note: configNote(fields),
	}
	return withBlob(a, keptBytes(out))
}

// configName is the name of a redacted configuration taken out of name
// ("config.json.gz" → "config.json"): the blob is plain JSON.
func configName(name string) string {
	for _, ext := range []string{".gz", ".gzip"} {
		if n, ok := strings.CutSuffix(name, ext); ok && n != "" {
			return n
		}
	}
	return name
}

// DroppedMark ends a field a ConfigRedactor removed instead of replacing
// (bot.RedactConfig: plugin settings, settings Mattermost does not know).
const DroppedMark = " (dropped)"

func configNote(fields []string) string {
	return "Mattermost configuration; " + redactedCounts(fields)
}

// redactedCounts says how many settings a redactor replaced and dropped.
func redactedCounts(fields []string) string {
	dropped := 0
	for _, f := range fields {
		if strings.HasSuffix(f, DroppedMark) {
			dropped++
		}
	}
	var s string
	switch n := len(fields) - dropped; n {
	case 0:
		s = "no secrets found to redact"
	case 1:
		s = "1 secret setting redacted"
	default:
		s = fmt.Sprintf("%d secret settings redacted", n)
	}
	if dropped > 0 {
		s += fmt.Sprintf("; %d group(s) of settings dropped (plugin settings, settings Mattermost does not know)", dropped)
	}
	return s
}
