package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/setbot/setbot"
)

// Blobs are the content setbot made and keeps until an intake is done with
// it. Small content is a value in blobs/. Large content (a masked log, a
// rebuilt archive, a log taken out of a support packet) is never one
// value: blobfiles/ records its size, and the engine keeps the content,
// in the transaction that records it: bbolt as a file in its blob
// directory (blobdir.go), PostgreSQL in chunks in the database, so that
// another replica reads it too (pgblobs.go).

// blobKeyPattern finds blob keys (BlobKey's form) inside stored records.
var blobKeyPattern = regexp.MustCompile(`sha256:[0-9a-f]{64}`)

// blobKeyOnly is a whole key of that form: the only names the blob
// directory holds.
var blobKeyOnly = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// tempPrefix starts the name of every temporary file setbot makes
// (setbot.ContentWriter); Open removes those left in TempDir.
const tempPrefix = "setbot-"

// TempDir is the directory for setbot's temporary files (uploads being
// downloaded and checked). On bbolt it is "<path>.tmp", beside the store
// file, so that a checked file can be linked into the blob directory
// rather than copied; on PostgreSQL it is in the local directory
// (WithLocalDir). Open creates it and removes what a process that stopped
// mid-check left there.
func (db *DB) TempDir() string { return db.eng.tempDir() }

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

// PutBlob stores content under key, as one value.
func (tx *Tx) PutBlob(key string, data []byte) error {
	return tx.tx.Bucket(bucketBlobs).Put([]byte(key), data)
}

// PutBlobFile keeps the content of the file at path as blob key (the
// content's BlobKey), in this transaction, and records it in blobfiles/:
// on bbolt hard-linked into the blob directory (copied when it cannot be:
// another file system) and synced; on PostgreSQL written in chunks. The
// file at path stays the caller's to remove.
func (tx *Tx) PutBlobFile(key, path string) error {
	if !blobKeyOnly.MatchString(key) {
		return fmt.Errorf("store blob file: %q is not a blob key", key)
	}
	size, err := tx.tx.putBlobFile(key, path)
	if err != nil {
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
	err = db.eng.view(func(tx kvTx) error {
		if v := tx.Bucket(bucketBlobs).Get([]byte(key)); v != nil {
			c, ok = setbot.Content{Data: append([]byte(nil), v...)}, true
		}
		size = append(size, tx.Bucket(bucketBlobFiles).Get([]byte(key))...)
		return nil
	})
	if err != nil || ok || len(size) != 8 || !blobKeyOnly.MatchString(key) {
		return c, ok, err
	}
	n := int64(binary.BigEndian.Uint64(size))
	path, ok, err := db.eng.blobFile(key, n)
	if err != nil || !ok {
		return c, false, err
	}
	return setbot.Content{Path: path, Size: n}, true, nil
}

// CollectBlobs deletes every stored upload ("sha256:" blob, a value or
// content kept by the engine) that neither a conversation nor an outbox
// job refers to any more: its intake was filed, added to a ticket,
// cancelled or expired. Referring is read from the records' bytes, so a
// new kind of record that keeps a blob key keeps its blob too. One
// transaction: a blob stored with its conversation is never seen without
// it. Content with no record (left by a transaction that failed: a file
// in bbolt's blob directory, a locally cached file on PostgreSQL) goes
// too. It returns how many blobs it deleted.
func (db *DB) CollectBlobs() (int, error) {
	n := 0
	err := db.eng.update(func(tx kvTx) error {
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
		return tx.removeStrayBlobs()
	})
	return n, err
}

// blobsInUse are the blob keys conversations and outbox jobs hold.
func blobsInUse(tx kvTx) (map[string]bool, error) {
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

// SizeBytes is the size of the store's data, for /metrics: on bbolt the
// file and the blob files, on PostgreSQL the tables setbot keeps.
func (db *DB) SizeBytes() (int64, error) { return db.eng.sizeBytes() }
