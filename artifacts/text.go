package artifacts

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

var errTooBig = errors.New("content exceeds its limit")

// isText reports whether b (the start of a file) reads as UTF-8 text: no NUL
// bytes and valid UTF-8, forgiving a rune cut off at the end.
func isText(b []byte) bool {
	if len(b) == 0 || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return false
}

// textStats is what a pass over a text file found.
type textStats struct {
	n     int64  // bytes read
	lines int    // lines, counting a last line without a newline
	head  []byte // the first sniffBytes bytes
}

// scanText reads r to the end, at most limit bytes, counting lines and keeping
// the head. A read error (a truncated gzip stream) is returned as is.
func scanText(r io.Reader, limit int64) (textStats, error) {
	var st textStats
	buf := make([]byte, 32<<10)
	last := byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			chunk := buf[:k]
			st.n += int64(k)
			if st.n > limit {
				return st, errTooBig
			}
			if room := sniffBytes - len(st.head); room > 0 {
				st.head = append(st.head, chunk[:min(room, k)]...)
			}
			st.lines += bytes.Count(chunk, []byte{'\n'})
			last = chunk[k-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
	}
	if last != '\n' {
		st.lines++
	}
	return st, nil
}

// firstLine returns the first non-empty line of b, trimmed.
func firstLine(b []byte) []byte {
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return line
		}
	}
	return nil
}

// isLogRecord reports whether line is one JSON log record (Mattermost's
// JSON log lines carry "level" and "msg").
func isLogRecord(line []byte) bool {
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	var rec struct {
		Level *string `json:"level"`
		Msg   *string `json:"msg"`
	}
	return json.Unmarshal(line, &rec) == nil && rec.Level != nil && rec.Msg != nil
}

// looksLikeJSONDocument reports whether b is one JSON object that is not a
// single log record: a configuration candidate.
func looksLikeJSONDocument(b []byte) bool {
	return len(b) > 0 && b[0] == '{' && json.Valid(b) && !isLogRecord(b)
}
