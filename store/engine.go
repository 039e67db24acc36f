package store

// The store's records live in an engine: buckets of byte keys mapped to
// byte values, ordered by bytes, each bucket with a sequence. Two engines
// implement it: bbolt (bolt.go, one file, the default) and PostgreSQL
// (pg*.go, shared by replicas). Everything else in this package speaks
// only to these interfaces, so both engines hold the same records under
// the same keys and Copy can move a store from one to the other.
//
// The semantics are bbolt's. An update is one atomic read-modify-write
// transaction that sees its own writes; a view is a consistent read-only
// snapshot. A value handed out by Get, a cursor or ForEach is valid only
// until the transaction ends. A found key whose value is empty has a
// non-nil empty value: nil means absent.
//
// Reads on bbolt cannot fail, so the interfaces give Get and the cursor
// no error, as bbolt does. On PostgreSQL a read can fail (the network);
// such a read returns nil and poisons the transaction: every later call
// fails, err reports the failure, and update and view return it whatever
// the function returned, so nothing decided from the wrong nil is kept.

// engine is where a store's records live. Safe for concurrent use.
type engine interface {
	// update runs fn in a read-write transaction and commits it when fn
	// returns nil. PostgreSQL may run fn more than once (a serialization
	// failure is retried), so fn must depend only on the transaction.
	update(fn func(kvTx) error) error
	// view runs fn in a read-only snapshot.
	view(fn func(kvTx) error) error
	// fence makes every later update check the leader lease's epoch
	// (pg.go); bbolt's file lock already admits one process, so there
	// it does nothing.
	fence(epoch int64)
	driver() string
	// describe names where the store lives, without credentials.
	describe() string
	// tempDir is the directory for setbot's temporary files.
	tempDir() string
	// blobFile returns a local file holding blob key's content of size
	// bytes, which blobfiles/ records; ok is false when the content is
	// gone.
	blobFile(key string, size int64) (path string, ok bool, err error)
	// hasBlobContent reports whether any blob content is kept outside
	// the buckets (Copy refuses such a destination).
	hasBlobContent() (bool, error)
	// sizeBytes is the size of the store's data, blob content included.
	sizeBytes() (int64, error)
	close() error
}

// kvTx is one transaction of an engine.
type kvTx interface {
	// Bucket returns the named bucket, which Open created.
	Bucket(name []byte) kvBucket
	// createBucket makes the named bucket unless it exists (Open's
	// init). PostgreSQL's buckets need no making.
	createBucket(name []byte) error
	// putBlobFile keeps the content of the file at path as blob key,
	// in this transaction, and returns its size.
	putBlobFile(key, path string) (int64, error)
	// removeStrayBlobs drops the blob content that blobfiles/ does not
	// record (left by a transaction that did not commit, or collected).
	removeStrayBlobs() error
	// err is the failure that poisoned the transaction, or nil.
	err() error
}

// kvBucket is a bucket inside a transaction, bbolt's *Bucket in shape.
type kvBucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	// ForEach calls fn for every key in order. fn must not write to the
	// bucket: collect, then write (deleteWhere).
	ForEach(fn func(k, v []byte) error) error
	Cursor() kvCursor
	// NextSequence moves the bucket's sequence on by one and returns it.
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(seq uint64) error
	// KeyN counts the bucket's keys.
	KeyN() int
}

// kvCursor walks a bucket in key order, bbolt's *Cursor in shape: each
// method returns the key and value it lands on, or a nil key past either
// end.
type kvCursor interface {
	First() (key, value []byte)
	Last() (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
	Seek(seek []byte) (key, value []byte)
}
