package artifacts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/setbot/setbot"
)

// checkTar checks a tar archive of logs (.tar, or .tar.gz with gzipped
// true) read from r. A tar cannot be reopened entry by entry, so each
// regular file is read into memory, at most MaxLogBytes, one at a time;
// the bomb limits of zips hold: MaxZipEntries files, MaxUnpackedBytes in
// all.
func checkTar(f setbot.File, r io.Reader, gzipped bool, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	if len(f.Content.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, HumanBytes(int64(len(f.Content.Data))), HumanBytes(MaxLogBytes))
	}
	entries, err := readTar(r)
	switch {
	case errors.Is(err, errTooMany):
		return refuse(f, "%s has more than %s entries; I accept at most %s.", name, thousands(MaxZipEntries), thousands(MaxZipEntries))
	case errors.Is(err, errTooBig):
		return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, HumanBytes(MaxUnpackedBytes))
	case err != nil:
		return refuse(f, "%s is a damaged or cut short tar archive. Upload it again.", name)
	}
	format := "tar"
	if gzipped {
		format = "tar.gz"
	}
	return checkBundle(f, format, entries, redact, func(w io.Writer) archiveWriter { return newTarWriter(w, gzipped) })
}

var errTooMany = errors.New("too many archive entries")

// readTar reads the regular files of a tar, within the bomb limits.
func readTar(r io.Reader) ([]entry, error) {
	budget := &limitedReader{r: r, left: MaxUnpackedBytes}
	tr := tar.NewReader(budget)
	var entries []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue // directories, links: nothing to keep
		}
		if len(entries) == MaxZipEntries {
			return nil, errTooMany
		}
		data, err := io.ReadAll(io.LimitReader(tr, MaxLogBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read tar entry: %w", err)
		}
		if int64(len(data)) > MaxLogBytes {
			entries = append(entries, entry{name: h.Name, open: tooLarge})
			continue
		}
		entries = append(entries, entry{name: h.Name, open: gzipAware(data)})
	}
}

func tooLarge() (io.Reader, func(), error) {
	return nil, nil, errTooBig
}

func gzipAware(data []byte) opener {
	return func() (io.Reader, func(), error) { return gunzipIfGzip(bytes.NewReader(data), func() {}) }
}

// limitedReader fails with errTooBig once more than left bytes are read.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooBig
	}
	return n, err
}

type tarWriter struct {
	tw *tar.Writer
	zw *gzip.Writer // nil for a plain tar
}

func newTarWriter(w io.Writer, gzipped bool) archiveWriter {
	if !gzipped {
		return tarWriter{tw: tar.NewWriter(w)}
	}
	zw := gzip.NewWriter(w)
	return tarWriter{tw: tar.NewWriter(zw), zw: zw}
}

// add buffers content: a tar header carries the size before the data.
func (w tarWriter) add(name string, content func(io.Writer) error) error {
	var b bytes.Buffer
	if err := content(&b); err != nil {
		return err
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(b.Len()), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("write tar header: %w", err)
	}
	_, err := w.tw.Write(b.Bytes())
	return err
}

func (w tarWriter) Close() error {
	err := w.tw.Close()
	if w.zw != nil {
		err = errors.Join(err, w.zw.Close())
	}
	return err
}
