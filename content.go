package setbot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// ContentMemoryBytes is the most a ContentWriter keeps in memory: a
// config.json (40–200 KB) stays there; a log or a support packet goes to a
// temporary file, so that no upload is ever held whole in memory.
const ContentMemoryBytes = 1 << 20

// Content is a file's bytes: in memory (Data) when small, else in a file on
// disk (Path, Size) that is opened afresh for each read. The zero Content is
// empty. Content does not own its file: whoever made it removes it (a
// temporary download) or keeps it (a stored blob).
type Content struct {
	Data []byte // the bytes, when Path is empty
	Path string // the file that holds the bytes
	Size int64  // the size of the file at Path; len(Data) counts otherwise
}

// Len is the content's size in bytes.
func (c Content) Len() int64 {
	if c.Path == "" {
		return int64(len(c.Data))
	}
	return c.Size
}

// ContentReader reads content from its start, or at any offset (a zip's
// directory is at its end).
type ContentReader interface {
	io.Reader
	io.ReaderAt
	io.Closer
}

// Open opens the content for reading from its start. The caller closes it.
func (c Content) Open() (ContentReader, error) {
	if c.Path == "" {
		return memReader{bytes.NewReader(c.Data)}, nil
	}
	f, err := os.Open(c.Path)
	if err != nil {
		return nil, fmt.Errorf("open content: %w", err)
	}
	return f, nil
}

type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }

// ErrContentTooLarge is returned by ContentWriter.Write past its limit.
var ErrContentTooLarge = errors.New("content exceeds its limit")

var errFinished = errors.New("content writer already finished")

// ContentWriter collects content: in memory up to ContentMemoryBytes, then in
// a temporary file ("setbot-*") in Dir ("" is os.TempDir()). Finish returns
// what was written; Discard removes the file. Every ContentWriter must end
// in Discard or in Finish, and the file Finish names is then the caller's.
// Not safe for concurrent use.
type ContentWriter struct {
	dir   string
	limit int64 // 0: none
	mem   bytes.Buffer
	file  *os.File
	path  string
	n     int64
	err   error // sticky: a writer that failed stays failed
}

// NewContentWriter returns a writer that refuses more than limit bytes
// (ErrContentTooLarge); limit 0 accepts any size.
func NewContentWriter(dir string, limit int64) *ContentWriter {
	return &ContentWriter{dir: dir, limit: limit}
}

// Write appends p, moving what was written so far to a file once it passes
// ContentMemoryBytes.
func (w *ContentWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.limit > 0 && w.n+int64(len(p)) > w.limit {
		w.err = ErrContentTooLarge
		return 0, w.err
	}
	if w.file == nil && w.mem.Len()+len(p) > ContentMemoryBytes {
		if w.err = w.spill(); w.err != nil {
			return 0, w.err
		}
	}
	var n int
	if w.file != nil {
		n, w.err = w.file.Write(p)
	} else {
		n, _ = w.mem.Write(p)
	}
	w.n += int64(n)
	return n, w.err
}

func (w *ContentWriter) spill() error {
	f, err := os.CreateTemp(w.dir, "setbot-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	w.file, w.path = f, f.Name()
	if _, err := f.Write(w.mem.Bytes()); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	w.mem = bytes.Buffer{}
	return nil
}

// Finish ends the writing and returns the content. After an error the file,
// if any, is removed.
func (w *ContentWriter) Finish() (Content, error) {
	if w.err != nil {
		w.Discard()
		return Content{}, w.err
	}
	w.err = errFinished
	if w.file == nil {
		return Content{Data: w.mem.Bytes()}, nil
	}
	err := w.file.Close()
	w.file = nil
	if err != nil {
		w.Discard()
		return Content{}, fmt.Errorf("write temporary file: %w", err)
	}
	return Content{Path: w.path, Size: w.n}, nil
}

// Discard drops what was written and removes the file, finished or not.
func (w *ContentWriter) Discard() {
	if w.file != nil {
		w.file.Close()
		w.file = nil
	}
	if w.path != "" {
		os.Remove(w.path)
		w.path = ""
	}
	w.mem = bytes.Buffer{}
	if w.err == nil {
		w.err = errFinished
	}
}

// Path is the temporary file the writer made; "" while it is in memory.
func (w *ContentWriter) Path() string { return w.path }
