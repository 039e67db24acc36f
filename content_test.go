package setbot_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/setbot/setbot"
)

func TestContentWriterKeepsSmallContentInMemory(t *testing.T) {
	dir := t.TempDir()
	w := setbot.NewContentWriter(dir, 0)
	w.Write([]byte("config"))
	c, err := w.Finish()
	if err != nil || c.Path != "" || string(c.Data) != "config" || c.Len() != 6 {
		t.Fatalf("Finish = %+v, %v", c, err)
	}
	assertEmptyDir(t, dir)
}

func TestContentWriterSpillsLargeContentToAFile(t *testing.T) {
	dir := t.TempDir()
	w := setbot.NewContentWriter(dir, 0)
	want := bytes.Repeat([]byte("0123456789abcdef"), setbot.ContentMemoryBytes/16*3+1)
	for b := want; len(b) > 0; b = b[min(len(b), 1000):] {
		if _, err := w.Write(b[:min(len(b), 1000)]); err != nil {
			t.Fatal(err)
		}
	}
	c, err := w.Finish()
	if err != nil || c.Data != nil || c.Path == "" || c.Len() != int64(len(want)) {
		t.Fatalf("Finish = path %q, %d bytes in memory, len %d, %v", c.Path, len(c.Data), c.Len(), err)
	}
	r, err := c.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	tail := make([]byte, 16)
	r.ReadAt(tail, int64(len(want)-16))
	r.Close()
	if !bytes.Equal(got, want) || !bytes.Equal(tail, want[len(want)-16:]) {
		t.Fatal("content read back differs")
	}
	w.Discard()
	assertEmptyDir(t, dir)
}

func TestContentWriterLimit(t *testing.T) {
	dir := t.TempDir()
	w := setbot.NewContentWriter(dir, setbot.ContentMemoryBytes+10)
	if _, err := w.Write(make([]byte, setbot.ContentMemoryBytes+5)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 6)); !errors.Is(err, setbot.ErrContentTooLarge) {
		t.Fatalf("Write past the limit = %v", err)
	}
	if _, err := w.Finish(); !errors.Is(err, setbot.ErrContentTooLarge) {
		t.Fatalf("Finish = %v", err)
	}
	assertEmptyDir(t, dir)
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Errorf("left behind: %s", e.Name())
	}
}
