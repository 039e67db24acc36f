package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/setbot/setbot"
)

// Blobs are the content setbot made and keeps until an intake is done with
// it. Small content lives in bbolt (blobs/). Large content (a masked log, a
// rebuilt archive, a log taken out of a support packet) is never a bbolt
// value: it is a file of its own in the blob directory beside the store
// file, "<path>.blobs/sha256-<hex>", recorded in blobfiles/ with its size.
// Every change to that directory happens inside a write transaction, so
// CollectBlobs, running in one, sees the directory and the records agree:
// a file without a record was left by a transaction that did not commit
// (or a crash), and goes.

// blobKeyPattern finds blob keys (BlobKey's form) inside stored records.
var blobKeyPattern = regexp.MustCompile(`sha256:[0-9a-f]{64}`)

// blobKeyOnly is a whole key of that form: the only names the blob
// directory holds.
var blobKeyOnly = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// tempPrefix starts the name of every temporary file setbot makes
// (setbot.ContentWriter); Open removes those left in TempDir.
const tempPrefix = "setbot-"

func (db *DB) blobDir() string { return db.path + ".blobs" }

// TempDir is the directory for setbot's temporary files (uploads being
// downloaded and checked). It is beside the store file, so that a checked
// file can be linked into the blob directory rather than copied. Open
// creates it and removes what a process that stopped mid-check left there.
func (db *DB) TempDir() string { return db.path + ".tmp" }

// clearTemp creates TempDir and removes the temporary files left in it.
// Open holds the store's lock, so no other setbot is using them.
func (db *DB) clearTemp() error {
	dir := db.TempDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read temporary directory: %w", err)
	}
	for _, e := range es {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// PutBlob stores content under key, in bbolt.
func (tx *Tx) PutBlob(key string, data []byte) error {
	return tx.tx.Bucket(bucketBlobs).Put([]byte(key), data)
}

// PutBlobFile keeps the content of the file at path as blob key (the
// content's BlobKey) in the blob directory: hard-linked there (copied when
// it cannot be: another file system), synced, and recorded in blobfiles/.
// The file at path stays the caller's to remove. Syncing here holds the
// store's write lock: a caller that just wrote a large file syncs it
// before the transaction (SyncFile), which leaves little to do here.
func (tx *Tx) PutBlobFile(key, path string) error {
	if !blobKeyOnly.MatchString(key) {
		return fmt.Errorf("store blob file: %q is not a blob key", key)
	}
	dir := tx.db.blobDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create blob directory: %w", err)
	}
	size, err := placeFile(path, filepath.Join(dir, blobFileName(key)))
	if err != nil {
		return fmt.Errorf("store blob file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("store blob file: %w", err)
	}
	return tx.tx.Bucket(bucketBlobFiles).Put([]byte(key), u64(uint64(size)))
}

func blobFileName(key string) string { return strings.Replace(key, ":", "-", 1) }

// placeFile puts the content of src at dest, complete or not at all, and
// synced. A dest already there with the same size is the same content (its
// name is its hash), kept by an earlier transaction.
func placeFile(src, dest string) (int64, error) {
	st, err := os.Stat(src)
	if err != nil {
		return 0, err
	}
	if d, err := os.Stat(dest); err == nil && d.Size() == st.Size() {
		return st.Size(), SyncFile(dest)
	}
	os.Remove(dest)
	if err := os.Link(src, dest); err != nil {
		if err := copyFile(src, dest); err != nil {
			return 0, err
		}
	}
	return st.Size(), SyncFile(dest)
}

// copyFile copies src to a temporary name beside dest, syncs it, and
// renames it to dest.
func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dest), tempPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name()) // after the rename, nothing
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(out.Name(), dest)
}

// SyncFile flushes a file's content to disk.
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error { return SyncFile(dir) }

// Blob returns stored content: its bytes, or the file that holds it (which
// stays until CollectBlobs finds nothing refers to it). ok is false when
// there is none, or when its file is gone.
func (db *DB) Blob(key string) (c setbot.Content, ok bool, err error) {
	var size []byte
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketBlobs).Get([]byte(key)); v != nil {
			c, ok = setbot.Content{Data: append([]byte(nil), v...)}, true
		}
		size = append(size, tx.Bucket(bucketBlobFiles).Get([]byte(key))...)
		return nil
	})
	if err != nil || ok || len(size) != 8 || !blobKeyOnly.MatchString(key) {
		return c, ok, err
	}
	path := filepath.Join(db.blobDir(), blobFileName(key))
	if _, err := os.Stat(path); err != nil {
		return c, false, nil
	}
	return setbot.Content{Path: path, Size: int64(binary.BigEndian.Uint64(size))}, true, nil
}

// CollectBlobs deletes every stored upload ("sha256:" blob, in bbolt or in
// a file) that neither a conversation nor an outbox job refers to any more:
// its intake was filed, added to a ticket, cancelled or expired. Referring
// is read from the records' bytes, so a new kind of record that keeps a
// blob key keeps its blob too. One transaction: a blob stored with its
// conversation is never seen without it. Files in the blob directory with
// no record (left by a transaction that failed) go too. It returns how many
// blobs it deleted.
func (db *DB) CollectBlobs() (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		used, err := blobsInUse(tx)
		if err != nil {
			return err
		}
		unused := func(k, _ []byte) bool { return blobKeyPattern.Match(k) && !used[string(k)] }
		inBolt, err := deleteWhere(tx.Bucket(bucketBlobs), unused)
		if err != nil {
			return err
		}
		inFiles, err := deleteWhere(tx.Bucket(bucketBlobFiles), unused)
		if err != nil {
			return err
		}
		n = inBolt + inFiles
		// After a failed commit the records stay, unused; the next
		// collection deletes them.
		return db.removeStrayBlobFiles(tx)
	})
	return n, err
}

// blobsInUse are the blob keys conversations and outbox jobs hold.
func blobsInUse(tx *bolt.Tx) (map[string]bool, error) {
	used := map[string]bool{}
	for _, b := range [][]byte{bucketConversations, bucketOutbox} {
		err := tx.Bucket(b).ForEach(func(_, v []byte) error {
			for _, k := range blobKeyPattern.FindAll(v, -1) {
				used[string(k)] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return used, nil
}

// removeStrayBlobFiles removes the files of the blob directory that
// blobfiles/ does not record.
func (db *DB) removeStrayBlobFiles(tx *bolt.Tx) error {
	es, err := os.ReadDir(db.blobDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read blob directory: %w", err)
	}
	recorded := tx.Bucket(bucketBlobFiles)
	for _, e := range es {
		key := strings.Replace(e.Name(), "-", ":", 1)
		if !blobKeyOnly.MatchString(key) || recorded.Get([]byte(key)) == nil {
			if err := os.Remove(filepath.Join(db.blobDir(), e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove unused blob file: %w", err)
			}
		}
	}
	return nil
}

// SizeBytes is the size of the store's data, for /metrics: the bbolt file
// and the blob files.
func (db *DB) SizeBytes() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return tx.Bucket(bucketBlobFiles).ForEach(func(_, v []byte) error {
			if len(v) == 8 {
				n += int64(binary.BigEndian.Uint64(v))
			}
			return nil
		})
	})
	return n, err
}
