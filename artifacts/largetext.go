package artifacts

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/setbot/setbot"
)

// checkLargeText checks a text larger than MaxConfigBytes as it streams
// past, never whole in memory. It decides as checkText does for a smaller
// one, in the same order: configuration settings anywhere in it, or one
// JSON object (refused: too large for a configuration); a goroutine dump
// (by its head; decoded in memory within MaxProfileBytes); a profile in
// text form (refused); else a log, masked in a second pass (refused when
// a line is too long to mask).
func (k *checker) checkLargeText(f setbot.File, head []byte) Checked {
	size := f.Content.Len()
	r, done, err := contentOpener(f.Content)()
	if err != nil {
		return refuseUnreadable(f, err)
	}
	p, err := maskText(nil, r, size)
	done()
	if err != nil {
		return refuseUnreadable(f, err)
	}
	switch {
	case p.config || oneJSONObject(contentOpener(f.Content), head):
		return refuseLargeConfig(f, size)
	case looksLikeStackDump(head):
		return checkLargeStackDump(f)
	}
	if c, ok := refuseTextProfile(f, head); ok {
		return c
	}
	if p.long {
		return refuseLogPass(f, errLongLine)
	}
	return k.keepLog(f, p)
}

// checkLargeStackDump reads a goroutine dump into memory, within
// MaxProfileBytes, to check it.
func checkLargeStackDump(f setbot.File) Checked {
	if f.Content.Len() > MaxProfileBytes {
		return checkStackDump(f, nil, f.Content.Len()) // refused for its size
	}
	data, err := readAll(contentOpener(f.Content), MaxProfileBytes)
	if err != nil {
		return refuseUnreadable(f, err)
	}
	return checkStackDump(f, data, f.Content.Len())
}

// oneJSONObject reports whether a text is one JSON object and nothing but
// white space: a configuration candidate, however large. It reads tokens
// as they stream past, so only the longest string is held at once; it
// stops at the first sign of anything else (the second record of a JSON
// lines log). Unlike looksLikeJSONDocument it does not tell a single log
// record from a configuration: a log of one record this large is refused.
func oneJSONObject(open opener, head []byte) bool {
	if t := bytes.TrimLeft(stripBOM(bytes.TrimLeft(head, " \t\r\n")), " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return false
	}
	r, done, err := open()
	if err != nil {
		return false
	}
	defer done()
	br := bufio.NewReaderSize(r, sniffBytes)
	b, _ := br.Peek(sniffBytes)
	if t := bytes.TrimLeft(b, " \t\r\n"); bytes.HasPrefix(t, utf8BOM) { // JSON does not allow one
		br.Discard(len(b) - len(t) + len(utf8BOM))
	}
	dec := json.NewDecoder(br)
	for depth := 0; ; {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			break
		}
	}
	_, err = dec.Token()
	return errors.Is(err, io.EOF)
}

// refuseLargeConfig refuses a text that holds configuration settings but
// is larger than any configuration setbot keeps.
func refuseLargeConfig(f setbot.File, size int64) Checked {
	return refuse(f, "%s is %s; a Mattermost config.json is far smaller (I accept up to %s), and I do not keep configuration settings I cannot redact. %s", displayName(f.Name), HumanBytes(size), HumanBytes(MaxConfigBytes), howTo(setbot.ArtifactConfig))
}
