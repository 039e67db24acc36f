package artifacts

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
)

// logPass is what one pass over a text found.
type logPass struct {
	textStats
	masked int  // secret values masked
	config bool // the text holds Mattermost configuration settings
}

// maskTrigger is what every masking rule needs somewhere in a line; lines
// without it are copied as they are, which keeps a pass over a large log fast.
var maskTrigger = regexp.MustCompile(`(?i)pass|pwd|secret|token|key|auth|bearer|salt|datasource|signature|credential|://|@|/hooks/|/webhook`)

// readBufBytes is the read buffer of a pass; a longer line is gathered in
// pieces, up to the pass's limit.
const readBufBytes = 64 << 10

// maskText reads r to the end, at most limit bytes, one line at a time: it
// counts lines, keeps the head, notes configuration settings, masks secrets,
// and writes the masked text to w (w nil: count only). A read error (a
// truncated gzip stream) is returned wrapped; errTooBig past limit.
func maskText(w io.Writer, r io.Reader, limit int64) (logPass, error) {
	var p logPass
	br := bufio.NewReaderSize(r, readBufBytes)
	var long []byte
	for {
		piece, err := br.ReadSlice('\n')
		p.n += int64(len(piece))
		if p.n > limit {
			return p, errTooBig
		}
		if err == bufio.ErrBufferFull {
			long = append(long, piece...)
			continue
		}
		line := piece
		if long != nil {
			line, long = append(long, piece...), nil
		}
		if len(line) > 0 {
			if werr := p.line(w, line); werr != nil {
				return p, fmt.Errorf("write masked text: %w", werr)
			}
		}
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return p, fmt.Errorf("read text: %w", err)
		}
	}
}

func (p *logPass) line(w io.Writer, line []byte) error {
	p.lines++
	if room := sniffBytes - len(p.head); room > 0 {
		p.head = append(p.head, line[:min(room, len(line))]...)
	}
	if !p.config && holdsConfig(line) {
		p.config = true
	}
	if maskTrigger.Match(line) {
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
