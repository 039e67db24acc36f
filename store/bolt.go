package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The bbolt engine: one file, locked by the process that opened it, and
// beside it the blob directory (<path>.blobs, blobdir.go) and the
// temporary directory (<path>.tmp). It is the only importer of bbolt.

// openTimeout is how long Open waits for another process's lock on the file.
const openTimeout = 2 * time.Second

// boltEngine is a store in one bbolt file. Safe for concurrent use.
type boltEngine struct {
	db   *bolt.DB
	path string
}

var _ engine = (*boltEngine)(nil)

// openBolt opens or creates the bbolt file at path and its buckets.
func openBolt(path string) (*boltEngine, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create store directory: %w", err)
		}
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &boltEngine{db: b, path: path}, nil
}

func (e *boltEngine) update(fn func(kvTx) error) error {
	return e.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx, e}) })
}

func (e *boltEngine) view(fn func(kvTx) error) error {
	return e.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx, e}) })
}

func (e *boltEngine) fence(int64)      {}
func (e *boltEngine) driver() string   { return driverBolt }
func (e *boltEngine) describe() string { return e.path }
func (e *boltEngine) tempDir() string  { return e.path + ".tmp" }
func (e *boltEngine) close() error     { return e.db.Close() }

// sizeBytes is the bbolt file and the blob files.
func (e *boltEngine) sizeBytes() (int64, error) {
	var n int64
	err := e.db.View(func(tx *bolt.Tx) error {
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

// boltTx is a bbolt transaction. Its reads cannot fail: err is nil.
type boltTx struct {
	tx *bolt.Tx
	e  *boltEngine
}

func (t boltTx) Bucket(name []byte) kvBucket { return boltBucket{t.tx.Bucket(name)} }
func (t boltTx) err() error                  { return nil }

func (t boltTx) createBucket(name []byte) error {
	if _, err := t.tx.CreateBucketIfNotExists(name); err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// boltBucket is a bbolt bucket; one pointer, so it goes into a kvBucket
// without an allocation.
type boltBucket struct{ *bolt.Bucket }

func (b boltBucket) Cursor() kvCursor { return b.Bucket.Cursor() }
func (b boltBucket) KeyN() int        { return b.Stats().KeyN }

// Put stores a nil value as an empty one: bbolt's Get would otherwise
// return the nil itself until the commit, and nil means absent.
func (b boltBucket) Put(key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	return b.Bucket.Put(key, value)
}
