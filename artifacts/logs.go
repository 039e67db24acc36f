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
func (k *checker) checkLog(f setbot.File) Checked {
	r, done, err := contentOpener(f.Content)()
	if err != nil {
		return refuseUnreadable(f, err)
	}
	p, err := maskText(nil, r, MaxLogBytes)
	done()
	if err != nil {
		return refuseLogPass(f, err)
	}
	return k.keepLog(f, p)
}

// keepLog keeps a log that a pass (p) classified: as it is when nothing
// was masked, else its masked copy, written in a second pass.
func (k *checker) keepLog(f setbot.File, p logPass) Checked {
	name, size := displayName(f.Name), f.Content.Len()
	if size > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem, compressed (.gz or .zip).", name, HumanBytes(size), HumanBytes(MaxLogBytes))
	}
	a := setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: size,
		Note: logNote(p.textStats) + maskedNote(p.masked),
	}
	if p.masked == 0 {
		return Checked{Attachment: a}
	}
	return k.rewritten(f, a, func(out io.Writer) error { return writeMasked(out, contentOpener(f.Content), MaxLogBytes) })
}

// refuseLogPass refuses a text whose pass failed: a line too long to mask,
// or a read error.
func refuseLogPass(f setbot.File, err error) Checked {
	if errors.Is(err, errLongLine) {
		return refuse(f, "%s has a line longer than %s, which I cannot check for secrets. Upload the part around the problem.", displayName(f.Name), HumanBytes(MaxLineBytes))
	}
	return refuseUnreadable(f, err)
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
// compressed again). It is decompressed as it streams, once per pass.
func (k *checker) checkGzip(f setbot.File) Checked {
	name := displayName(f.Name)
	open := gunzipOpener(f.Content)
	zr, done, err := open()
	if err != nil {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	sniff, err := io.ReadAll(io.LimitReader(zr, sniffBytes))
	done()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	switch {
	case isTar(sniff):
		zr, done, err := open() // from the start again
		if err != nil {
			return refuseUnreadable(f, err)
		}
		defer done()
		return k.checkTar(f, zr, true)
	case !isText(sniff):
		return checkGzipProfile(f, open)
	case holdsConfig(sniff) || looksLikeJSONDocument(bytes.TrimSpace(stripBOM(sniff))):
		// the whole text is checked below as well; this is the quick way
	case looksLikeStackDump(sniff):
		data, err := readAll(open, MaxProfileUnpackedBytes)
		if err != nil {
			return refuseUnpack(f, err, MaxProfileUnpackedBytes)
		}
		if holdsConfig(data) {
			return checkConfig(f, data, k.redact)
		}
		return checkStackDump(f, data, f.Content.Len())
	}
	if size := f.Content.Len(); size > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, HumanBytes(size), HumanBytes(MaxLogBytes))
	}
	return k.checkGzipText(f, open)
}

// gunzipOpener opens c decompressed, afresh for each pass.
func gunzipOpener(c setbot.Content) opener {
	return func() (io.Reader, func(), error) {
		r, err := c.Open()
		if err != nil {
			return nil, nil, err
		}
		zr, err := gzip.NewReader(r)
		if err != nil {
			r.Close()
			return nil, nil, fmt.Errorf("open gzip: %w", err)
		}
		zr.Multistream(true)
		return zr, func() { zr.Close(); r.Close() }, nil
	}
}

// checkGzipText checks a gzip-compressed text in two streaming passes: one
// to classify it, one to write its masked copy when it held secrets.
func (k *checker) checkGzipText(f setbot.File, open opener) Checked {
	m := inspect(f.Name, open, MaxUnpackedBytes, k.redact)
	switch m.kind {
	case setbot.ArtifactConfig:
		a := setbot.Attachment{Kind: setbot.ArtifactConfig, Name: configName(f.Name), FileID: f.ID, Size: int64(len(m.config)), Redacted: m.fields, Note: configNote(m.fields)}
		return withBlob(a, keptBytes(m.config))
	case setbot.ArtifactUnknown:
		switch {
		case m.why == whyDamaged:
			return refuseUnpack(f, io.ErrUnexpectedEOF, MaxUnpackedBytes)
		case strings.HasPrefix(m.why, "is larger"):
			return refuseUnpack(f, errTooBig, MaxUnpackedBytes)
		}
		kind := setbot.ArtifactLog
		if m.pass.config {
			kind = setbot.ArtifactConfig
		}
		return refuse(f, "%s %s; I did not keep it. %s", displayName(f.Name), m.why, howTo(kind))
	}
	a := setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: f.Content.Len(),
		Note: "gzip-compressed " + logNote(m.pass.textStats) + maskedNote(m.pass.masked),
	}
	if m.pass.masked == 0 {
		return Checked{Attachment: a}
	}
	b, err := k.gzipMasked(open)
	if err != nil {
		return refuseMasking(f, err)
	}
	a.Size = b.content.Len()
	return withBlob(a, b)
}

// gzipMasked writes the masked copy of a text, gzip-compressed.
func (k *checker) gzipMasked(open opener) (kept, error) {
	out := k.spill(0)
	zw := gzip.NewWriter(out)
	err := writeMasked(zw, open, MaxUnpackedBytes)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		out.discard()
		return kept{}, err
	}
	return out.finish()
}

func checkGzipProfile(f setbot.File, open opener) Checked {
	if size := f.Content.Len(); size > MaxProfileBytes {
		return refuse(f, "%s is %s; profiles are limited to %s.", displayName(f.Name), HumanBytes(size), HumanBytes(MaxProfileBytes))
	}
	data, err := readAll(open, MaxProfileUnpackedBytes)
	if err != nil {
		return refuseUnpack(f, err, MaxProfileUnpackedBytes)
	}
	if c, ok := checkProfile(f, data); ok {
		return c
	}
	return refuse(f, "%s is gzip-compressed data that is not a pprof profile. %s", displayName(f.Name), howTo(intent(f.Name)))
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
	switch {
	case errors.Is(err, errTooBig):
		return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, HumanBytes(limit))
	case errors.Is(err, errScratch):
		return refuseScratch(f)
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
