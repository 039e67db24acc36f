package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

func blobKey(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// writeFile writes a "checked upload" for PutBlobFile, in the store's
// temporary directory as the dispatcher does.
func writeFile(t *testing.T, db *DB, content []byte) string {
	t.Helper()
	f, err := os.CreateTemp(db.TempDir(), "setbot-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(content)
	f.Close()
	return f.Name()
}

func readBlob(t *testing.T, db *DB, key string) (setbot.Content, []byte) {
	t.Helper()
	c, ok, err := db.Blob(key)
	if err != nil || !ok {
		t.Fatalf("Blob(%s) = %v, %v", key[:12], ok, err)
	}
	r, err := c.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b bytes.Buffer
	b.ReadFrom(r)
	return c, b.Bytes()
}

// A large blob is not one value: it outlives the checked file it came
// from and a restart, and counts in SizeBytes. On bbolt it is a file in
// the blob directory; on PostgreSQL it is chunks in the database, read
// back by a store opened with another local directory (another replica).
func TestBlobFileSurvivesItsSourceAndARestart(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		content := randomBytes(t, blobChunkSize+64<<10) // two chunks on PostgreSQL; random, so TOAST cannot shrink it
		src := writeFile(t, db, content)
		before, _ := db.SizeBytes()
		err := db.Update(t0, func(tx *Tx) error {
			if err := tx.PutConversation("u1", []byte(`{"blob":"`+blobKey("a")+`"}`)); err != nil {
				return err
			}
			return tx.PutBlobFile(blobKey("a"), src)
		})
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(src)
		if after, _ := db.SizeBytes(); after-before < int64(len(content)) {
			t.Errorf("SizeBytes grew by %d, want at least %d", after-before, len(content))
		}
		local := t.TempDir()
		db = s.reopen(t, db, WithLocalDir(local))
		c, got := readBlob(t, db, blobKey("a"))
		if c.Path == "" || c.Data != nil || c.Len() != int64(len(content)) || !bytes.Equal(got, content) {
			t.Fatalf("Blob = path %q, %d bytes in memory, len %d; content equal %v", c.Path, len(c.Data), c.Len(), bytes.Equal(got, content))
		}
		dir := s.path + ".blobs"
		if s.driver == driverPostgres {
			dir = filepath.Join(local, "blobs")
		}
		if !strings.HasPrefix(c.Path, dir+string(filepath.Separator)) {
			t.Errorf("blob file %s is not in %s", c.Path, dir)
		}
	})
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// storedBlobs lists the blob content an engine keeps: bbolt's files, or
// the keys PostgreSQL holds chunks of, with its locally cached files.
func storedBlobs(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	dir := ""
	switch e := db.eng.(type) {
	case *boltEngine:
		dir = e.blobDir()
	case *pgEngine:
		for _, k := range pgStrings(t, db, `SELECT DISTINCT key FROM setbot_blob_chunks ORDER BY key`) {
			out = append(out, "chunks:"+k)
		}
		dir = e.blobCacheDir()
	}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// CollectBlobs deletes blob content nothing refers to, its records, and
// content left by a transaction that did not commit; referred ones stay.
func TestCollectBlobsDeletesUnusedBlobFiles(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(t0, func(tx *Tx) error {
			for _, c := range []string{"a", "b"} {
				if err := tx.PutBlobFile(blobKey(c), writeFile(t, db, []byte("content "+c))); err != nil {
					return err
				}
			}
			return tx.PutConversation("u1", []byte(`{"blob":"`+blobKey("a")+`"}`))
		})
		if err != nil {
			t.Fatal(err)
		}
		failed := errors.New("the step failed")
		err = db.Update(t0, func(tx *Tx) error {
			if err := tx.PutBlobFile(blobKey("c"), writeFile(t, db, []byte("content c"))); err != nil {
				return err
			}
			return failed // rolled back: the content is placed, the record is not kept
		})
		if !errors.Is(err, failed) {
			t.Fatal(err)
		}
		if _, ok, _ := db.Blob(blobKey("c")); ok {
			t.Fatal("the blob of a rolled back transaction is found")
		}
		n, err := db.CollectBlobs()
		if err != nil || n != 1 {
			t.Fatalf("CollectBlobs = %d, %v; want 1 (b)", n, err)
		}
		readBlob(t, db, blobKey("a"))
		if _, ok, _ := db.Blob(blobKey("b")); ok {
			t.Error("unused blob b kept")
		}
		want := []string{blobFileName(blobKey("a"))}
		if s.driver == driverPostgres {
			want = []string{"chunks:" + blobKey("a"), blobFileName(blobKey("a"))}
		}
		if got := storedBlobs(t, db); !slices.Equal(got, want) {
			t.Errorf("blob content kept: %v, want only a's: %v", got, want)
		}
	})
}

// A blob file whose content is gone is not found (filing then says so).
func TestBlobFileGoneIsNotFound(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if err := db.Update(t0, func(tx *Tx) error { return tx.PutBlobFile(blobKey("a"), writeFile(t, db, []byte("x"))) }); err != nil {
			t.Fatal(err)
		}
		switch e := db.eng.(type) {
		case *boltEngine:
			os.Remove(filepath.Join(e.blobDir(), blobFileName(blobKey("a"))))
		case *pgEngine:
			pgStrings(t, db, `DELETE FROM setbot_blob_chunks RETURNING key`)
			os.Remove(filepath.Join(e.blobCacheDir(), blobFileName(blobKey("a"))))
		}
		if _, ok, err := db.Blob(blobKey("a")); ok || err != nil {
			t.Fatalf("Blob = %v, %v", ok, err)
		}
	})
}

func TestPutBlobFileRefusesAnyOtherKey(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		src := writeFile(t, db, []byte("x"))
		for _, key := range []string{"../x", "sha256:" + strings.Repeat("a", 63) + "/", "archived-conversation:u1:1"} {
			if err := db.Update(t0, func(tx *Tx) error { return tx.PutBlobFile(key, src) }); err == nil {
				t.Errorf("PutBlobFile(%q) stored it", key)
			}
		}
	})
}

// copyFile, for a checked file on another file system than the store's.
func TestCopyFileIsCompleteOrAbsent(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("content"), 0o600)
	dest := filepath.Join(dir, "dest")
	if err := copyFile(src, dest); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "content" {
		t.Fatalf("dest = %q", b)
	}
	if err := copyFile(filepath.Join(dir, "missing"), filepath.Join(dir, "dest2")); err == nil {
		t.Fatal("copied a missing file")
	}
	es, _ := os.ReadDir(dir)
	if len(es) != 2 {
		t.Errorf("%d files, want src and dest only", len(es))
	}
}

// Open removes the temporary files a stopped setbot left, and only those.
func TestOpenClearsTempDir(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		local := WithLocalDir(t.TempDir()) // bbolt ignores it
		db := s.open(t, local)
		left := writeFile(t, db, []byte("a download being checked"))
		other := filepath.Join(db.TempDir(), "notes.txt")
		os.WriteFile(other, nil, 0o600)
		db = s.reopen(t, db, local, WithClock(func() time.Time { return t0 }))
		if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("left-over temporary file still there: %v", err)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("a file setbot did not make was removed: %v", err)
		}
	})
}
