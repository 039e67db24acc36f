// Package store keeps setbot's state, on one of two drivers: one bbolt
// file (Open, the default), or a PostgreSQL database that replicas share
// (OpenPostgres). Both hold the same buckets of the same records, through
// one key-value engine interface (engine.go); Copy moves a store from one
// to the other. It is the only importer of bbolt (bolt.go) and of pgx
// (pg*.go, lease.go), but for the test-support package e2e/pgtest. Every public method is one transaction; no network I/O but
// the database's own happens inside one.
//
// On bbolt, beside the file are two directories it owns: the blob
// directory (<path>.blobs, large blobs as files) and the temporary
// directory (<path>.tmp, TempDir). A file another process holds is
// ErrInUse.
//
// On PostgreSQL, setbot creates and migrates its tables itself
// (pgschema.go; TestPostgresSchemaMatchesComment keeps this list honest):
//
//	setbot_schema_version(id = 1, version)       -> how many migrations ran; a newer schema is refused
//	setbot_kv(bucket, key bytea, value bytea)    -> every bucket's keys and values, as drawn below (bytea orders as bbolt does)
//	setbot_seq(bucket, seq)                      -> every bucket's sequence
//	setbot_blob_chunks(key, n, data bytea)       -> blob file content in 1 MiB chunks; blobfiles/ records the size
//	setbot_lease(id = 1, epoch, holder, since)   -> the leader lease (lease.go); a fenced writer checks its epoch
//
// Writes are SERIALIZABLE and run again after a conflict, reads are
// REPEATABLE READ snapshots. The local directory (WithLocalDir) holds
// TempDir (tmp/) and a cache of blob files read from the chunks (blobs/).
//
// Bucket layout (TestLayoutMatchesComment keeps this drawing honest):
//
//	meta/
//	  version             -> schema version, decimal ("1")
//	  button_key          -> 32 random bytes, the HMAC key that signs button actions
//	  created             -> when this store was made (unix ms, 8 bytes big endian); catch-up never reaches before it
//	  cursor/<channel id> -> create time (unix ms, 8 bytes big endian) of the newest post seen there
//	  watchcursor/<channel id> -> the same, of the newest post the first-response watch recorded
//	  thread/<name>       -> the root post id of a thread setbot keeps posting in (a day's ~Ask R&D sweeps)
//	seen/
//	  <post id>           -> when it was handled (unix ms, 8 bytes big endian)
//	conversations/
//	  <user id>           -> the user's conversation state (JSON, versioned by package conversations)
//	outbox/
//	  <seq>               -> a Job (JSON); seq is 8 bytes big endian, so jobs run in order
//	blobs/
//	  <key>               -> content setbot made and must keep (a redacted config)
//	blobfiles/
//	  <key>               -> size (8 bytes big endian) of large content in <path>.blobs/ or setbot_blob_chunks (blobs.go)
//	overrides/
//	  <week start>/<role> -> username overriding the configured rotation for that week
//	pages/
//	  <page id>           -> a Page and its escalation ladder (JSON)
//	incidents/
//	  <issue key>         -> a tracked L1/L2 incident (JSON)
//	notifications/
//	  <kind>/<subject>/<step> -> when that notification was sent (unix ms), so a restart neither repeats nor skips it
//	deadletters/
//	  <seq>               -> a Job (JSON) taken out of the outbox after it failed for good (panicked again and again)
//	watched/
//	  <post id>           -> a top-level ~sustained-engineering post waiting for SET's first response (JSON)
//	weeklog/
//	  filed/<issue key>   -> a ticket setbot filed: when, and its level (JSON)
//	  update/<issue key>/<unix ms> -> an incident status update was recorded then (empty)
//	  stale/<week>        -> how many tickets were stale at that week's hand-over (decimal)
//	records/
//	  <week>              -> that rotation week's figures, stored when it ended (setbot.WeekRecord, JSON)
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/setbot/setbot"
)

// Version is the schema version this build reads and writes.
const Version = 1

// The drivers Driver names.
const (
	driverBolt     = "bbolt"
	driverPostgres = "postgres"
)

var (
	bucketMeta          = []byte("meta")
	bucketSeen          = []byte("seen")
	bucketConversations = []byte("conversations")
	bucketOutbox        = []byte("outbox")
	bucketBlobs         = []byte("blobs")
	bucketBlobFiles     = []byte("blobfiles")
	bucketOverrides     = []byte("overrides")
	bucketPages         = []byte("pages")
	bucketIncidents     = []byte("incidents")
	bucketNotifications = []byte("notifications")
	bucketDeadLetters   = []byte("deadletters")
	bucketWatched       = []byte("watched")
	bucketWeekLog       = []byte("weeklog")
	bucketRecords       = []byte("records")

	allBuckets = [][]byte{bucketMeta, bucketSeen, bucketConversations, bucketOutbox,
		bucketBlobs, bucketBlobFiles, bucketOverrides, bucketPages, bucketIncidents, bucketNotifications, bucketDeadLetters, bucketWatched,
		bucketWeekLog, bucketRecords}

	keyVersion   = []byte("version")
	keyButtonKey = []byte("button_key")
	keyCreated   = []byte("created")
)

// Option configures Open and OpenPostgres.
type Option func(*options)

type options struct {
	now      func() time.Time
	localDir string
}

func newOptions(opts []Option) options {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithClock sets the clock that dates a new store's creation (default
// time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLocalDir sets, for PostgreSQL, the local directory that holds
// TempDir and the cache of blob files read from the database. The default
// is a fresh temporary directory, removed by Close. bbolt ignores it: its
// directories are beside its file.
func WithLocalDir(dir string) Option { return func(o *options) { o.localDir = dir } }

// ErrInUse is returned by Open when another process holds the file.
var ErrInUse = errors.New("the store file is already in use by another process")

// DB is an open store. It is safe for concurrent use.
type DB struct {
	eng engine
	// Decoded incidents and pages, read on every timer pass.
	incidentCache decodeCache[setbot.Incident]
	pageCache     decodeCache[setbot.Page]
	jobHeads      jobHeads   // each queued job's kind and due time, read on every outbox pass
	commits       *committer // group commits of Handle and Update
	closeOnce     sync.Once
	closeErr      error
}

// Open opens or creates the bbolt store at path, creates missing buckets
// and checks the schema version. A file written by a newer setbot is
// refused; a file another process holds is ErrInUse.
func Open(path string, opts ...Option) (*DB, error) {
	e, err := openBolt(path)
	if err != nil {
		return nil, err
	}
	return start(e, newOptions(opts))
}

// start initialises a store on an open engine and starts its committer;
// on failure it closes the engine.
func start(e engine, o options) (*DB, error) {
	db := &DB{eng: e, commits: newCommitter()}
	if err := db.init(o.now()); err != nil {
		e.close()
		return nil, err
	}
	if err := db.clearTemp(); err != nil {
		e.close()
		return nil, err
	}
	go db.runCommits() // stopped by Close
	return db, nil
}

func (db *DB) init(now time.Time) error {
	where := db.eng.describe()
	return db.eng.update(func(tx kvTx) error {
		if err := tx.createBucket(bucketMeta); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyVersion); v != nil {
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("store %s has an unreadable version %q", where, v)
			}
			if n > Version {
				return fmt.Errorf("store %s was written by a newer setbot (schema version %d; this build reads up to %d): run the newer setbot or restore a backup", where, n, Version)
			}
		}
		for _, name := range allBuckets {
			if err := tx.createBucket(name); err != nil {
				return err
			}
		}
		if meta.Get(keyCreated) == nil {
			if err := meta.Put(keyCreated, millis(now)); err != nil {
				return err
			}
		}
		return meta.Put(keyVersion, []byte(strconv.Itoa(Version)))
	})
}

// Created is when the store file was made. Posts older than that were never
// setbot's to handle with this store.
func (db *DB) Created() (time.Time, error) {
	var t time.Time
	err := db.eng.view(func(tx kvTx) error {
		t = fromMillis(tx.Bucket(bucketMeta).Get(keyCreated))
		return nil
	})
	return t, err
}

// Close lets waiting writes finish, then closes the store. It waits for
// open transactions to end. Calling it again returns the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.commits.close()
		db.closeErr = db.eng.close()
	})
	return db.closeErr
}

// Path is the file the store lives in; on PostgreSQL, a description of the
// database without credentials.
func (db *DB) Path() string { return db.eng.describe() }

// Driver is the engine the store is on: "bbolt" or "postgres".
func (db *DB) Driver() string { return db.eng.driver() }

// Fence makes this process a fenced leader of epoch (the leader lease's,
// lease.go): from now on every write transaction on PostgreSQL first reads
// the lease's epoch in the same transaction and fails with ErrFenced,
// never retried, when another process has taken the lease since. epoch 0
// turns the check off. On bbolt it does nothing: the file lock already
// admits one process.
func (db *DB) Fence(epoch int64) { db.eng.fence(epoch) }

// ErrFenced is returned by writes of a process whose leader lease another
// process has taken (Fence).
var ErrFenced = errors.New("another setbot has taken the leader lease since this one was fenced")

// Ping checks that the store can still be read (for readiness probes).
func (db *DB) Ping() error {
	return db.eng.view(func(tx kvTx) error {
		if tx.Bucket(bucketMeta).Get(keyVersion) == nil {
			return errors.New("store is not initialised")
		}
		return nil
	})
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func millis(t time.Time) []byte { return u64(uint64(t.UnixMilli())) }

func fromMillis(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(b)))
}
