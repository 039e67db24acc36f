package artifacts

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// logPass is what one pass over a text found.
type logPass struct {
	textStats
	masked  int           // secret values masked
	config  bool          // the text holds Mattermost configuration settings
	long    bool          // a line is longer than MaxLineBytes: it cannot be masked
	configs configScanner // finds them across lines
	lower   []byte        // mayHoldSecret's buffer
}

// maskTrigger is what every masking rule needs somewhere in a line; lines
// without it are copied as they are, which keeps a pass over a large log fast.
var maskTrigger = regexp.MustCompile(`(?i)` + strings.Join(triggerWords, "|"))

// triggerWords are maskTrigger's alternatives, lower case, as literals.
var triggerWords = []string{"pass", "pwd", "secret", "token", "key", "auth", "bearer", "salt", "datasource", "signature", "credential", "://", "@", "/hooks/", "/webhook"}

var triggerBytes = func() (b [][]byte) {
	for _, w := range triggerWords {
		b = append(b, []byte(w))
	}
	return b
}()

// mayHoldSecret reports whether maskTrigger matches line. A line of ASCII
// is lowered (into *lower, reused) and searched for each word, many times
// faster than the case-folding regexp; any other line goes through the
// regexp, whose folding knows more than ASCII (ſ is an s, K a k).
func mayHoldSecret(line []byte, lower *[]byte) bool {
	b := (*lower)[:0]
	for _, c := range line {
		if c >= utf8.RuneSelf {
			return maskTrigger.Match(line)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	*lower = b
	for _, w := range triggerBytes {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// readBufBytes is the read buffer of a pass; a longer line is gathered in
// pieces, up to MaxLineBytes.
const readBufBytes = 64 << 10

// errLongLine is a line longer than MaxLineBytes, met while masking.
var errLongLine = errors.New("line too long to mask")

// maskText reads r to the end, at most limit bytes, one line at a time: it
// counts lines, keeps the head, notes configuration settings, masks secrets,
// and writes the masked text to w (w nil: count only). A read error (a
// truncated gzip stream) is returned wrapped; errTooBig past limit.
// Masking needs each line whole, so a line is the most it holds in memory:
// a line longer than MaxLineBytes is only looked at for configuration
// settings, and sets long (errLongLine when writing to w).
func maskText(w io.Writer, r io.Reader, limit int64) (p logPass, err error) {
	defer func() { p.config = p.configs.holds() }()
	br := bufio.NewReaderSize(r, readBufBytes)
	var long []byte // a line gathered in pieces
	var lineLen int
	for {
		piece, err := br.ReadSlice('\n')
		if p.n += int64(len(piece)); p.n > limit {
			return p, errTooBig
		}
		if room := sniffBytes - len(p.head); room > 0 {
			p.head = append(p.head, piece[:min(room, len(piece))]...)
		}
		ends := err != bufio.ErrBufferFull
		switch lineLen += len(piece); {
		case lineLen > MaxLineBytes:
			if w != nil {
				return p, errLongLine
			}
			p.overlong(long, piece, ends)
			long = nil
		case !ends:
			long = append(long, piece...)
		default:
			line := piece
			if long != nil {
				line, long = append(long, piece...), nil
			}
			if len(line) > 0 {
				if werr := p.line(w, line); werr != nil {
					return p, fmt.Errorf("write masked text: %w", werr)
				}
			}
		}
		if ends {
			lineLen = 0
		}
		if err == io.EOF {
			return p, nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return p, fmt.Errorf("read text: %w", err)
		}
	}
}

// overlong looks at the pieces of a line too long to mask (gathered, the
// part read before it was known to be) for configuration settings only.
func (p *logPass) overlong(gathered, piece []byte, ends bool) {
	p.long = true
	p.configs.write(gathered)
	p.configs.write(piece)
	if ends {
		p.lines++
	}
}

func (p *logPass) line(w io.Writer, line []byte) error {
	p.lines++
	p.configs.write(line)
	if mayHoldSecret(line, &p.lower) {
		if out, k := maskLine(string(line)); k > 0 {
			p.masked += k
			line = []byte(out)
		}
	}
	if w == nil {
		return nil
	}
	_, err := w.Write(line)
	return err
}

// maskedNote is the part of a note that says how many values were masked.
func maskedNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "; 1 secret value masked"
	}
	return fmt.Sprintf("; %s secret values masked", thousands(n))
}

// configScanner is holdsConfig over a text written to it in pieces: it
// finds exactly what holdsConfig finds in the whole text. It scans a chunk
// at a time, keeping from one scan to the next only the end of the text
// that a match around a later anchor could still need (configCarry).
type configScanner struct {
	buf   []byte // the carry, then what was written since
	found bool
}

// configCarry is how much of the text seen so far a match around a later
// anchor can reach back into: holdsConfig's window around an anchor.
const configCarry = anchorBefore + longestAnchor + anchorAfter

// configChunk is how much text a scan takes at once (a variable for the
// tests, which scan small texts in many places).
var configChunk = 64 << 10

func (s *configScanner) write(p []byte) {
	for len(p) > 0 && !s.found {
		if s.buf == nil {
			s.buf = make([]byte, 0, configCarry+configChunk)
		}
		n := min(len(p), cap(s.buf)-len(s.buf))
		s.buf, p = append(s.buf, p[:n]...), p[n:]
		if len(s.buf) == cap(s.buf) {
			s.scan()
		}
	}
}

func (s *configScanner) scan() {
	if holdsConfig(s.buf) {
		s.found, s.buf = true, nil
		return
	}
	s.buf = append(s.buf[:0], s.buf[max(0, len(s.buf)-configCarry):]...)
}

// holds reports whether the text written so far holds configuration
// settings.
func (s *configScanner) holds() bool {
	if !s.found && len(s.buf) > 0 {
		s.scan()
	}
	return s.found
}
