package artifacts

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/setbot/setbot"
)

func checkLog(f setbot.File) Checked {
	name := displayName(f.Name)
	if len(f.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem, compressed (.gz or .zip).", name, humanBytes(int64(len(f.Data))), humanBytes(MaxLogBytes))
	}
	st, _ := scanText(bytes.NewReader(f.Data), MaxLogBytes)
	return Checked{Attachment: setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: int64(len(f.Data)),
		Note: logNote(st),
	}}
}

func logNote(st textStats) string {
	format := "plain text"
	if isLogRecord(firstLine(st.head)) {
		format = "JSON lines"
	}
	return fmt.Sprintf("%s log, %s lines", format, thousands(st.lines))
}

// checkGzip handles a gzip-compressed upload: a pprof profile (always
// gzip-compressed when Go writes one), a compressed log or goroutine dump.
func checkGzip(f setbot.File) Checked {
	name := displayName(f.Name)
	zr, err := gzip.NewReader(bytes.NewReader(f.Data))
	if err != nil {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	zr.Multistream(true)
	sniff, err := io.ReadAll(io.LimitReader(zr, sniffBytes))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse(f, "%s is a damaged gzip file. Upload it again, or the uncompressed file.", name)
	}
	if !isText(sniff) {
		return checkGzipProfile(f)
	}
	if looksLikeStackDump(sniff) {
		data, err := gunzip(f.Data, MaxProfileUnpackedBytes)
		if err != nil {
			return refuseUnpack(f, err, MaxProfileUnpackedBytes)
		}
		return checkStackDump(setbot.File{ID: f.ID, Name: f.Name, Data: data}, int64(len(f.Data)))
	}
	if len(f.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, humanBytes(int64(len(f.Data))), humanBytes(MaxLogBytes))
	}
	zr, _ = gzip.NewReader(bytes.NewReader(f.Data))
	st, err := scanText(zr, MaxUnpackedBytes)
	if err != nil {
		return refuseUnpack(f, err, MaxUnpackedBytes)
	}
	return Checked{Attachment: setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: int64(len(f.Data)),
		Note: "gzip-compressed " + logNote(st),
	}}
}

func checkGzipProfile(f setbot.File) Checked {
	if len(f.Data) > MaxProfileBytes {
		return refuse(f, "%s is %s; profiles are limited to %s.", displayName(f.Name), humanBytes(int64(len(f.Data))), humanBytes(MaxProfileBytes))
	}
	data, err := gunzip(f.Data, MaxProfileUnpackedBytes)
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
		return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, humanBytes(limit))
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
