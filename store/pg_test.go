package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of what only the PostgreSQL engine has: its schema, concurrent
// replicas, the fence, blob chunks and a DSN that must not leak.

// TestPostgresNewerSchemaIsRefused: a database whose schema a newer
// setbot made is refused, naming the versions.
func TestPostgresNewerSchemaIsRefused(t *testing.T) {
	s := pgStore(t)
	s.open(t).Close()
	pgExec(t, s.dsn, `UPDATE setbot_schema_version SET version = 99`)
	_, err := s.tryOpen()
	if err == nil || !strings.Contains(err.Error(), "newer setbot") || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("OpenPostgres of a version-99 schema = %v, want a refusal naming a newer setbot", err)
	}
}

// TestPostgresReplicasOpenAtOnce: stores opened at the same moment on a
// new database migrate it once, initialise it once (one creation time),
// and all work.
func TestPostgresReplicasOpenAtOnce(t *testing.T) {
	s := pgStore(t)
	const n = 4
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			clock := WithClock(func() time.Time { return t0.Add(time.Duration(i) * time.Hour) })
			dbs[i], errs[i] = s.tryOpen(clock)
		})
	}
	close(start)
	wg.Wait()
	var created []time.Time
	for i, db := range dbs {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { db.Close() })
		c, err := db.Created()
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, c)
	}
	for _, c := range created[1:] {
		if !c.Equal(created[0]) {
			t.Errorf("replicas see creation times %v, want one", created)
		}
	}
	if v := pgStrings(t, dbs[0], `SELECT version::text FROM setbot_schema_version`); len(v) != 1 || v[0] != "1" {
		t.Errorf("schema versions %v, want [1]", v)
	}
	if rows := pgStrings(t, dbs[0], `SELECT id::text FROM setbot_lease`); len(rows) != 1 {
		t.Errorf("lease rows %v, want one", rows)
	}
}

// increment adds one to the counter under key in meta/, read-modify-write.
func increment(tx *Tx, key string) error {
	b := tx.tx.Bucket(bucketMeta)
	var n uint64
	if v := b.Get([]byte(key)); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	return b.Put([]byte(key), u64(n+1))
}

func counter(t *testing.T, db *DB, key string) uint64 {
	t.Helper()
	v, err := db.meta(key)
	if err != nil || len(v) != 8 {
		t.Fatalf("counter %s = %q, %v", key, v, err)
	}
	return binary.BigEndian.Uint64([]byte(v))
}

// TestPostgresConcurrentIncrementsAreExact: two replicas, each with ten
// goroutines incrementing one counter through Update, lose no
// increment: the commits that conflict are run again.
func TestPostgresConcurrentIncrementsAreExact(t *testing.T) {
	s := pgStore(t)
	replicas := []*DB{s.open(t), s.open(t)}
	const goroutines, each = 20, 10
	var wg sync.WaitGroup
	for g := range goroutines {
		db := replicas[g%2]
		wg.Go(func() {
			for range each {
				if err := db.Update(t0, func(tx *Tx) error { return increment(tx, "counter") }); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := counter(t, replicas[0], "counter"); got != goroutines*each {
		t.Fatalf("counter = %d, want %d", got, goroutines*each)
	}
	t.Logf("%d attempts were run again after a conflict", replicas[0].eng.(*pgEngine).retries.Load()+replicas[1].eng.(*pgEngine).retries.Load())
}

// TestPostgresConflictRunsTheFunctionAgain: a write whose read another
// replica changed before it committed fails to commit, and is run again,
// from the other's result.
func TestPostgresConflictRunsTheFunctionAgain(t *testing.T) {
	s := pgStore(t)
	a, b := s.open(t), s.open(t)
	read, resume := make(chan struct{}), make(chan struct{})
	runs := 0
	done := make(chan error, 1)
	go func() {
		done <- a.Update(t0, func(tx *Tx) error {
			runs++
			tx.tx.Bucket(bucketMeta).Get([]byte("counter")) // the snapshot is taken
			if runs == 1 {
				close(read)
				<-resume
			}
			return increment(tx, "counter")
		})
	}()
	<-read
	if err := b.Update(t0, func(tx *Tx) error { return increment(tx, "counter") }); err != nil {
		t.Fatal(err)
	}
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := counter(t, a, "counter"); got != 2 || runs != 2 {
		t.Fatalf("counter = %d after %d runs; want 2 after 2", got, runs)
	}
	if r := a.eng.(*pgEngine).retries.Load(); r != 1 {
		t.Errorf("%d retries, want 1", r)
	}
}

// TestPostgresFence: once fenced at the lease's epoch, writes go on
// until another process takes the lease; then every write fails with
// ErrFenced, at once and without running its function, and reads still
// work.
func TestPostgresFence(t *testing.T) {
	s := pgStore(t)
	db := s.open(t)
	pgExec(t, s.dsn, `UPDATE setbot_lease SET epoch = 5, holder = 'me'`)
	db.Fence(5)
	if err := db.Update(t0, func(tx *Tx) error { return increment(tx, "counter") }); err != nil {
		t.Fatal(err)
	}
	pgExec(t, s.dsn, `UPDATE setbot_lease SET epoch = 6, holder = 'the other'`)
	ran := false
	err := db.Update(t0, func(tx *Tx) error { ran = true; return increment(tx, "counter") })
	if !errors.Is(err, ErrFenced) || ran {
		t.Fatalf("Update after the lease moved = %v (function ran: %v), want ErrFenced before it runs", err, ran)
	}
	if _, err := db.PruneSeen(t0); !errors.Is(err, ErrFenced) {
		t.Errorf("PruneSeen after the lease moved = %v, want ErrFenced", err)
	}
	if r := db.eng.(*pgEngine).retries.Load(); r != 0 {
		t.Errorf("a fenced write was retried %d times", r)
	}
	if got := counter(t, db, "counter"); got != 1 {
		t.Errorf("counter = %d, want 1: the fenced write must not land", got)
	}
	db.Fence(6)
	if err := db.Update(t0, func(tx *Tx) error { return increment(tx, "counter") }); err != nil {
		t.Errorf("Update fenced at the new epoch: %v", err)
	}
}

// TestPostgresBlobChunks: a blob file is 1 MiB chunks in the database,
// read back whole by another replica, which caches it once.
func TestPostgresBlobChunks(t *testing.T) {
	s := pgStore(t)
	db := s.open(t)
	content := randomBytes(t, 2*blobChunkSize+blobChunkSize/2)
	if err := db.Update(t0, func(tx *Tx) error { return tx.PutBlobFile(blobKey("a"), writeFile(t, db, content)) }); err != nil {
		t.Fatal(err)
	}
	sizes := pgStrings(t, db, `SELECT length(data)::text FROM setbot_blob_chunks WHERE key = $1 ORDER BY n`, blobKey("a"))
	if strings.Join(sizes, ",") != "1048576,1048576,524288" {
		t.Errorf("chunk sizes %v, want two of 1 MiB and the rest", sizes)
	}
	other := s.open(t)
	c1, got := readBlob(t, other, blobKey("a"))
	if !bytes.Equal(got, content) {
		t.Fatal("the other replica reads different content")
	}
	c2, _ := readBlob(t, other, blobKey("a"))
	if c1.Path != c2.Path {
		t.Errorf("the second read made another file: %s, then %s", c1.Path, c2.Path)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c1.Path); !os.IsNotExist(err) {
		t.Errorf("the default local directory outlived Close: %v", err)
	}
}

// TestPostgresErrorsHideTheDSN: whatever fails in OpenPostgres, its error
// carries neither the DSN nor the password.
func TestPostgresErrorsHideTheDSN(t *testing.T) {
	s := pgStore(t)
	const secret = "n0t-the-Passw0rd"
	u, _ := url.Parse(s.dsn)
	u.User = url.UserPassword(u.User.Username(), secret)
	wrong := u.String()
	u.Host = "127.0.0.1:1"
	nowhere := u.String()
	for _, dsn := range []string{wrong, nowhere, "postgres://setbot:" + secret + "@127.0.0.1:5432/x?sslmode=nonsense", "host=x password=" + secret + " port=notaport"} {
		db, err := OpenPostgres(dsn)
		if err == nil {
			db.Close()
			t.Errorf("OpenPostgres(%q) worked", dsn)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, dsn) {
			t.Errorf("the error shows the DSN or password: %s", msg)
		}
	}
	db := s.open(t)
	if p := db.Path(); strings.Contains(p, "setbot-pw") || strings.Contains(p, "@") {
		t.Errorf("Path = %q shows credentials", p)
	}
}

// TestPostgresSameBlobFromTwoReplicasAtOnce: replicas storing the same
// upload at the same moment all succeed (a conflict is run again), and
// the content is whole.
func TestPostgresSameBlobFromTwoReplicasAtOnce(t *testing.T) {
	s := pgStore(t)
	replicas := []*DB{s.open(t), s.open(t)}
	content := randomBytes(t, blobChunkSize+1)
	var wg sync.WaitGroup
	for i := range 6 {
		db := replicas[i%2]
		src := writeFile(t, db, content)
		wg.Go(func() {
			if err := db.Update(t0, func(tx *Tx) error { return tx.PutBlobFile(blobKey("a"), src) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, got := readBlob(t, s.open(t), blobKey("a")); !bytes.Equal(got, content) {
		t.Fatal("the blob stored at once by two replicas is not whole")
	}
}

// TestPostgresLeaseWaitsForAFencedWriteInFlight: a lease taken while a
// fenced write runs waits for that write to commit, so no write of the
// old leader commits after the new epoch; the next one is fenced.
func TestPostgresLeaseWaitsForAFencedWriteInFlight(t *testing.T) {
	s := pgStore(t)
	db := s.open(t)
	pgExec(t, s.dsn, `UPDATE setbot_lease SET epoch = 5`)
	db.Fence(5)
	running, release := make(chan struct{}), make(chan struct{})
	wrote := make(chan error, 1)
	go func() {
		wrote <- db.Update(t0, func(tx *Tx) error {
			close(running)
			<-release
			return increment(tx, "counter")
		})
	}()
	<-running
	taken := make(chan error, 1)
	go func() { taken <- pgTryExec(s.dsn, `UPDATE setbot_lease SET epoch = 6`) }()
	for len(pgStrings(t, db, `SELECT pid::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE setbot_lease%'`)) == 0 {
		time.Sleep(time.Millisecond) // polls until the lease's UPDATE waits on the write
	}
	close(release)
	if err := <-wrote; err != nil {
		t.Fatalf("the write in flight when the lease was taken: %v", err)
	}
	if err := <-taken; err != nil {
		t.Fatal(err)
	}
	if got := counter(t, db, "counter"); got != 1 {
		t.Errorf("counter = %d, want 1", got)
	}
	if err := db.Update(t0, func(tx *Tx) error { return increment(tx, "counter") }); !errors.Is(err, ErrFenced) {
		t.Errorf("a write after the lease was taken = %v, want ErrFenced", err)
	}
}
