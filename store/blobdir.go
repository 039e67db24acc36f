package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The bbolt engine's blob directory, "<path>.blobs": large content is a
// file of its own there, "sha256-<hex>", never a bbolt value. Every change
// to the directory happens inside a write transaction, so CollectBlobs,
// running in one, sees the directory and blobfiles/ agree: a file without
// a record was left by a transaction that did not commit (or a crash),
// and goes.

func (e *boltEngine) blobDir() string { return e.path + ".blobs" }

// putBlobFile hard-links the file at path into the blob directory (copies
// it when it cannot: another file system) and syncs it. Syncing here holds
// the store's write lock: a caller that just wrote a large file syncs it
// before the transaction (SyncFile), which leaves little to do here.
func (t boltTx) putBlobFile(key, path string) (int64, error) {
	dir := t.e.blobDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("create blob directory: %w", err)
	}
	size, err := placeFile(path, filepath.Join(dir, blobFileName(key)))
	if err != nil {
		return 0, err
	}
	return size, syncDir(dir)
}

// blobFile is the blob's file in the blob directory, when it is there.
func (e *boltEngine) blobFile(key string, _ int64) (string, bool, error) {
	path := filepath.Join(e.blobDir(), blobFileName(key))
	if _, err := os.Stat(path); err != nil {
		return "", false, nil
	}
	return path, true, nil
}

// removeStrayBlobs removes the files of the blob directory that
// blobfiles/ does not record.
func (t boltTx) removeStrayBlobs() error {
	dir := t.e.blobDir()
	es, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read blob directory: %w", err)
	}
	recorded := t.Bucket(bucketBlobFiles)
	for _, e := range es {
		key := strings.Replace(e.Name(), "-", ":", 1)
		if !blobKeyOnly.MatchString(key) || recorded.Get([]byte(key)) == nil {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove unused blob file: %w", err)
			}
		}
	}
	return nil
}

// hasBlobContent reports whether the blob directory holds any file.
func (e *boltEngine) hasBlobContent() (bool, error) {
	es, err := os.ReadDir(e.blobDir())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return len(es) > 0, err
}
