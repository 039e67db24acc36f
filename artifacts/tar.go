package artifacts

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/setbot/setbot"
)

// checkTar checks a tar archive of logs (.tar, or .tar.gz with gzipped
// true) read from r. A tar cannot be reopened entry by entry, so each
// regular file is copied to a temporary file (at most MaxLogBytes; one
// larger is left out) as the archive streams past; the bomb limits of zips
// hold: MaxZipEntries files, MaxUnpackedBytes in all.
func (k *checker) checkTar(f setbot.File, r io.Reader, gzipped bool) Checked {
	name, size := displayName(f.Name), f.Content.Len()
	if size > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, HumanBytes(size), HumanBytes(MaxLogBytes))
	}
	entries, copies, err := k.readTar(r)
	defer func() {
		for _, c := range copies {
			k.tmp.drop(c)
		}
	}()
	switch {
	case errors.Is(err, errTooMany):
		return refuse(f, "%s has more than %s entries; I accept at most %s.", name, thousands(MaxZipEntries), thousands(MaxZipEntries))
	case errors.Is(err, errTooBig):
		return refuse(f, "%s unpacks to more than %s, which I do not accept. Upload the part around the problem.", name, HumanBytes(MaxUnpackedBytes))
	case errors.Is(err, errScratch):
		return refuseScratch(f)
	case err != nil:
		return refuse(f, "%s is a damaged or cut short tar archive. Upload it again.", name)
	}
	format := "tar"
	if gzipped {
		format = "tar.gz"
	}
	return k.checkBundle(f, format, entries, func(w io.Writer) archiveWriter { return k.newTarWriter(w, gzipped) })
}

var errTooMany = errors.New("too many archive entries")

// readTar copies the regular files of a tar to temporary files, within the
// bomb limits. copies are those files, to drop once checked.
func (k *checker) readTar(r io.Reader) (entries []entry, copies []setbot.Content, err error) {
	budget := &limitedReader{r: r, left: MaxUnpackedBytes}
	tr := tar.NewReader(budget)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, copies, nil
		}
		if err != nil {
			return entries, copies, fmt.Errorf("read tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue // directories, links: nothing to keep
		}
		if len(entries) == MaxZipEntries {
			return entries, copies, errTooMany
		}
		c, err := k.copyTo(tr, MaxLogBytes)
		switch {
		case errors.Is(err, errTooBig) && budget.left >= 0:
			entries = append(entries, entry{name: h.Name, open: tooLarge})
			continue // the rest of the entry is skipped by Next, within the budget
		case err != nil:
			return entries, copies, fmt.Errorf("read tar entry: %w", err)
		}
		copies = append(copies, c.content)
		entries = append(entries, entry{name: h.Name, open: gzipAware(c.content)})
	}
}

func tooLarge() (io.Reader, func(), error) {
	return nil, nil, errTooBig
}

// gzipAware opens c, decompressing it when it is gzip-compressed.
func gzipAware(c setbot.Content) opener {
	return func() (io.Reader, func(), error) {
		r, err := c.Open()
		if err != nil {
			return nil, nil, err
		}
		return gunzipIfGzip(r, func() { r.Close() })
	}
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
	k  *checker     // for the temporary file of each member
}

func (k *checker) newTarWriter(w io.Writer, gzipped bool) archiveWriter {
	if !gzipped {
		return tarWriter{tw: tar.NewWriter(w), k: k}
	}
	zw := gzip.NewWriter(w)
	return tarWriter{tw: tar.NewWriter(zw), zw: zw, k: k}
}

// add writes content to a temporary file first: a tar header carries the
// size before the data.
func (w tarWriter) add(name string, content func(io.Writer) error) error {
	tmp := w.k.tmp.writer(0)
	defer tmp.Discard()
	if err := content(tmp); err != nil {
		return err
	}
	c, err := tmp.Finish()
	if err != nil {
		return fmt.Errorf("%w: %w", errScratch, err)
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: c.Len(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("write tar header: %w", err)
	}
	r, err := c.Open()
	if err != nil {
		return fmt.Errorf("%w: %w", errScratch, err)
	}
	defer r.Close()
	_, err = io.Copy(w.tw, r)
	return err
}

func (w tarWriter) Close() error {
	err := w.tw.Close()
	if w.zw != nil {
		err = errors.Join(err, w.zw.Close())
	}
	return err
}
