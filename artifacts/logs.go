package artifacts

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/setbot/setbot"
)

// checkLog keeps a plain text log, masked: when masking changed anything,
// the masked copy is the Blob. Configuration settings inside a log were
// refused before (checkText).
func checkLog(f setbot.File) Checked {
	name := displayName(f.Name)
	if len(f.Content.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem, compressed (.gz or .zip).", name, HumanBytes(int64(len(f.Content.Data))), HumanBytes(MaxLogBytes))
	}
	p, _ := maskText(nil, bytes.NewReader(f.Content.Data), MaxLogBytes)
	a := setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: int64(len(f.Content.Data)),
		Note: logNote(p.textStats) + maskedNote(p.masked),
	}
	if p.masked == 0 {
		return Checked{Attachment: a}
	}
	var b bytes.Buffer
	b.Grow(len(f.Content.Data))
	if _, err := maskText(&b, bytes.NewReader(f.Content.Data), MaxLogBytes); err != nil {
		return refuse(f, "%s could not be read to mask its secrets. Upload it again.", name)
	}
	a.Size = int64(b.Len())
	return withBlob(a, b.Bytes())
}

func logNote(st textStats) string {
	format := "plain text"
	if isLogRecord(firstLine(st.head)) {
		format = "JSON lines"
	}
	return fmt.Sprintf("%s log, %s lines", format, thousands(st.lines))
}

// checkGzip handles a gzip-compressed upload: a pprof profile (always
// gzip-compressed when Go writes one), a tar archive, a goroutine dump, a
// configuration (kept redacted and uncompressed) or a log (kept masked,
// compressed again).
func checkGzip(f setbot.File, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	zr, err := gzip.NewReader(bytes.NewReader(f.Content.Data))
	if err != nil {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	zr.Multistream(true)
	sniff, err := io.ReadAll(io.LimitReader(zr, sniffBytes))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	switch {
	case isTar(sniff):
		zr, _ = gzip.NewReader(bytes.NewReader(f.Content.Data)) // from the start again
		zr.Multistream(true)
		return checkTar(f, zr, true, redact)
	case !isText(sniff):
		return checkGzipProfile(f)
	case holdsConfig(sniff) || looksLikeJSONDocument(bytes.TrimSpace(stripBOM(sniff))):
		// the whole text is checked below as well; this is the quick way
	case looksLikeStackDump(sniff):
		data, err := gunzip(f.Content.Data, MaxProfileUnpackedBytes)
		if err != nil {
			return refuseUnpack(f, err, MaxProfileUnpackedBytes)
		}
		if holdsConfig(data) {
			return checkConfig(f, data, redact)
		}
		return checkStackDump(setbot.File{ID: f.ID, Name: f.Name, Content: setbot.Content{Data: data}}, int64(len(f.Content.Data)))
	}
	if len(f.Content.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, HumanBytes(int64(len(f.Content.Data))), HumanBytes(MaxLogBytes))
	}
	return checkGzipText(f, redact)
}

// checkGzipText checks a gzip-compressed text in two streaming passes: one
// to classify it, one to write its masked copy when it held secrets.
func checkGzipText(f setbot.File, redact ConfigRedactor) Checked {
	open := func() (io.Reader, func(), error) {
		zr, err := gzip.NewReader(bytes.NewReader(f.Content.Data))
		if err != nil {
			return nil, nil, fmt.Errorf("open gzip: %w", err)
		}
		zr.Multistream(true)
		return zr, func() { zr.Close() }, nil
	}
	m := inspect(f.Name, open, MaxUnpackedBytes, redact)
	switch m.kind {
	case setbot.ArtifactConfig:
		a := setbot.Attachment{Kind: setbot.ArtifactConfig, Name: configName(f.Name), FileID: f.ID, Size: int64(len(m.config)), Redacted: m.fields, Note: configNote(m.fields)}
		return withBlob(a, m.config)
	case setbot.ArtifactUnknown:
		switch {
		case m.why == whyDamaged:
			return refuseUnpack(f, io.ErrUnexpectedEOF, MaxUnpackedBytes)
		case strings.HasPrefix(m.why, "is larger"):
			return refuseUnpack(f, errTooBig, MaxUnpackedBytes)
		}
		k := setbot.ArtifactLog
		if m.pass.config {
			k = setbot.ArtifactConfig
		}
		return refuse(f, "%s %s; I did not keep it. %s", displayName(f.Name), m.why, howTo(k))
	}
	a := setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: int64(len(f.Content.Data)),
		Note: "gzip-compressed " + logNote(m.pass.textStats) + maskedNote(m.pass.masked),
	}
	if m.pass.masked == 0 {
		return Checked{Attachment: a}
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := writeMasked(zw, open, MaxUnpackedBytes); err != nil {
		return refuse(f, "%s could not be read to mask its secrets. Upload it again.", displayName(f.Name))
	}
	if err := zw.Close(); err != nil {
		return refuse(f, "%s could not be read to mask its secrets. Upload it again.", displayName(f.Name))
	}
	a.Size = int64(b.Len())
	return withBlob(a, b.Bytes())
}

func checkGzipProfile(f setbot.File) Checked {
	if len(f.Content.Data) > MaxProfileBytes {
		return refuse(f, "%s is %s; profiles are limited to %s.", displayName(f.Name), HumanBytes(int64(len(f.Content.Data))), HumanBytes(MaxProfileBytes))
	}
	data, err := gunzip(f.Content.Data, MaxProfileUnpackedBytes)
	if err != nil {
		return refuseUnpack(f, err, MaxProfileUnpackedBytes)
	}
	if c, ok := checkProfile(f, data); ok {
		return c
	}
	return refuse(f, "%s is gzip-compressed data that is not a pprof profile. %s", displayName(f.Name), howTo(intent(f.Name)))
}

// gunzip decompresses all of b, refusing more than limit bytes.
func gunzip(b []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	zr.Multistream(true)
	return readLimited(zr, limit)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooBig
	}
	return data, nil
}

func refuseUnpack(f setbot.File, err error, limit int64) Checked {
	name := displayName(f.Name)
	if errors.Is(err, errTooBig) {
		return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, HumanBytes(limit))
	}
	return refuse(f, "%s is damaged or cut short (it ends in the middle of the compressed data). Upload it again, or the uncompressed file.", name)
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}
