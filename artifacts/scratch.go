package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/setbot/setbot"
)

// Option configures Check.
type Option func(*checker)

// TempDir sets the directory of the temporary files a check writes (the
// masked copy of a large log, a rebuilt archive, the files taken out of a
// support packet); "" is os.TempDir().
func TempDir(dir string) Option { return func(k *checker) { k.tmp.dir = dir } }

// checker is one call of Check: the redactor, and the temporary files made
// on the way.
type checker struct {
	redact ConfigRedactor
	tmp    *scratch
}

// scratch makes the temporary files of one check. keepOnly removes every
// one the result does not hold, whatever happened on the way.
type scratch struct {
	dir     string
	writers []*setbot.ContentWriter
}

// errScratch marks a failure to write a temporary file: setbot's own
// storage, not the upload, is at fault.
var errScratch = errors.New("temporary storage failed")

// writer returns a ContentWriter in the scratch directory that refuses
// more than limit bytes (errTooBig); limit 0: no limit.
func (s *scratch) writer(limit int64) *setbot.ContentWriter {
	w := setbot.NewContentWriter(s.dir, limit)
	s.writers = append(s.writers, w)
	return w
}

// keepOnly removes the temporary files that c does not hold.
func (s *scratch) keepOnly(c *Checked) {
	keep := map[string]bool{}
	for _, b := range c.Blobs() {
		keep[b.Path] = true
	}
	for _, w := range s.writers {
		if p := w.Path(); p == "" || !keep[p] {
			w.Discard()
		}
	}
	s.writers = nil
}

// kept is content a check keeps, with its blob key.
type kept struct {
	content setbot.Content
	key     string
}

func keptBytes(b []byte) kept { return kept{setbot.Content{Data: b}, BlobKey(b)} }

// spill writes content to keep: to a scratch file (or memory, when small),
// hashing it for its blob key on the way.
type spill struct {
	w *setbot.ContentWriter
	h hash.Hash
}

func (k *checker) spill(limit int64) *spill {
	return &spill{w: k.tmp.writer(limit), h: sha256.New()}
}

// Write writes p; past the limit it fails with errTooBig, and a failing
// temporary file with errScratch.
func (s *spill) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.h.Write(p[:n])
	switch {
	case errors.Is(err, setbot.ErrContentTooLarge):
		err = errTooBig
	case err != nil:
		err = fmt.Errorf("%w: %w", errScratch, err)
	}
	return n, err
}

func (s *spill) finish() (kept, error) {
	c, err := s.w.Finish()
	if err != nil {
		return kept{}, fmt.Errorf("%w: %w", errScratch, err)
	}
	return kept{c, "sha256:" + hex.EncodeToString(s.h.Sum(nil))}, nil
}

func (s *spill) discard() { s.w.Discard() }

// copyTo copies r into a new spill of at most limit bytes and returns what
// it kept.
func (k *checker) copyTo(r io.Reader, limit int64) (kept, error) {
	s := k.spill(limit)
	if _, err := io.Copy(s, r); err != nil {
		s.discard()
		return kept{}, err
	}
	return s.finish()
}

// drop removes the temporary file of content no longer needed (an
// intermediate: a file taken out of an archive, once checked).
func (s *scratch) drop(c setbot.Content) {
	if c.Path == "" {
		return
	}
	for _, w := range s.writers {
		if w.Path() == c.Path {
			w.Discard()
			return
		}
	}
}

// contentOpener opens c afresh for each pass.
func contentOpener(c setbot.Content) opener {
	return func() (io.Reader, func(), error) {
		r, err := c.Open()
		if err != nil {
			return nil, nil, err
		}
		return r, func() { r.Close() }, nil
	}
}

// readHead reads the first sniffBytes of r.
func readHead(r io.ReaderAt) ([]byte, error) {
	b := make([]byte, sniffBytes)
	n, err := r.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:n], nil
}

// rewritten keeps what write makes (a masked log, a rebuilt archive) as
// a's content, or refuses f when writing or keeping it fails.
func (k *checker) rewritten(f setbot.File, a setbot.Attachment, write func(io.Writer) error) Checked {
	out := k.spill(0)
	if err := write(out); err != nil {
		out.discard()
		return refuseMasking(f, err)
	}
	b, err := out.finish()
	if err != nil {
		return refuseMasking(f, err)
	}
	a.Size = b.content.Len()
	return withBlob(a, b)
}
