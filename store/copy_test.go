package store

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// fillStore writes a little of everything a store keeps: handled posts,
// a conversation, jobs, an incident, a page, an override, a notice, a
// watched post, week-log entries (one with an empty value), a record, a
// small blob and a blob file, the button key and a cursor.
func fillStore(t *testing.T, db *DB) []byte {
	t.Helper()
	if _, err := db.ButtonKey(); err != nil {
		t.Fatal(err)
	}
	file := randomBytes(t, blobChunkSize+1000)
	src := writeFile(t, db, file)
	_, err := db.Handle("post1", t0, func(tx *Tx) error {
		steps := []func() error{
			func() error { return tx.PutConversation("u1", []byte(`{"blob":"`+blobKey("a")+`"}`)) },
			func() error { _, err := tx.Enqueue(jobKindTest, "k", "hi", time.Time{}); return err },
			func() error {
				_, _, err := tx.TrackIncident(setbot.Incident{Key: "SET-1", Priority: setbot.L1})
				return err
			},
			func() error { return tx.AddPage(setbot.Page{ID: "p1", Text: "down", Created: t0}) },
			func() error {
				return tx.PutOverride(setbot.Override{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "ann"}, "bob")
			},
			func() error { _, err := tx.ClaimNotice("gap", "2026-11-30/backup", "nobody"); return err },
			func() error { _, err := tx.Watch(setbot.Watched{Post: "w1", Channel: "ch", At: t0}); return err },
			func() error { _, _, err := tx.RecordUpdate("SET-1", t0.Add(time.Minute)); return err }, // weeklog: an empty value
			func() error { _, err := tx.PutRecord(setbot.WeekRecord{Week: "2026-11-23"}); return err },
			func() error { return tx.PutBlob(blobKey("b"), []byte("small")) },
			func() error { return tx.PutBlobFile(blobKey("a"), src) },
			func() error { return tx.SetCursor("ch", t0) },
		}
		for _, s := range steps {
			if err := s(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(src)
	return file
}

// dump is every bucket's keys, values and sequence, as text.
func dump(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.eng.view(func(tx kvTx) error {
		for _, name := range allBuckets {
			b := tx.Bucket(name)
			out[string(name)+"#seq"] = fmt.Sprint(b.Sequence())
			err := b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = fmt.Sprintf("%x", v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyInto copies src into a fresh store of s and checks that the two
// hold the same records, sequences and blob file.
func copyInto(t *testing.T, s *testStore, src *DB, file []byte) *DB {
	t.Helper()
	dst := s.open(t)
	counts, err := Copy(dst, src)
	if err != nil {
		t.Fatalf("Copy(%s ← %s) = %v", dst.Driver(), src.Driver(), err)
	}
	if counts["seen"] != 1 || counts["blobfiles"] != 1 || counts["outbox"] != 1 || counts["weeklog"] != 1 {
		t.Errorf("counts = %v", counts)
	}
	if want, got := dump(t, src), dump(t, dst); !maps.Equal(want, got) {
		t.Fatalf("%s holds\n%v\nafter a copy of %s's\n%v", dst.Driver(), got, src.Driver(), want)
	}
	if _, got := readBlob(t, dst, blobKey("a")); !bytes.Equal(got, file) {
		t.Fatalf("the blob file's content differs after the copy into %s", dst.Driver())
	}
	k1, _ := src.ButtonKey()
	if k2, _ := dst.ButtonKey(); !bytes.Equal(k1, k2) {
		t.Error("the button key was not copied: old buttons would not verify")
	}
	if ins, err := dst.OpenIncidents(); err != nil || len(ins) != 1 {
		t.Errorf("incidents after the copy = %v, %v", ins, err)
	}
	return dst
}

// TestCopyBoltToBolt: a copy holds what its source holds, sequences and
// blob content included.
func TestCopyBoltToBolt(t *testing.T) {
	src := openTemp(t)
	file := fillStore(t, src)
	copyInto(t, newTestStore(t, driverBolt), src, file)
}

// TestCopyBoltToPostgresAndBack: bbolt → PostgreSQL → bbolt keeps every
// record, sequence and blob; the next job's id follows the copied
// outbox's.
func TestCopyBoltToPostgresAndBack(t *testing.T) {
	pg := pgStore(t)
	src := openTemp(t)
	file := fillStore(t, src)
	mid := copyInto(t, pg, src, file)
	back := copyInto(t, newTestStore(t, driverBolt), mid, file)
	for _, db := range []*DB{src, mid, back} {
		var id uint64
		err := db.Update(t0, func(tx *Tx) error {
			var err error
			id, err = tx.Enqueue(jobKindTest, "next", "x", time.Time{})
			return err
		})
		if err != nil || id != 2 {
			t.Errorf("%s: the next job's id = %d, %v; want 2", db.Driver(), id, err)
		}
	}
}

// TestCopyRefusesAStoreInUse: a destination with any record (beyond
// meta/) or any blob content is refused with ErrNotEmpty, and left as it
// was.
func TestCopyRefusesAStoreInUse(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		src := openTemp(t)
		fillStore(t, src)
		dst := s.open(t)
		if _, err := dst.Handle("mine", t0, func(*Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := Copy(dst, src); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("Copy into a store with a record = %v, want ErrNotEmpty", err)
		}
		if seen, _ := dst.Seen("post1"); seen {
			t.Error("a refused copy wrote into the destination")
		}
		dst = s.reopen(t, dst, WithLocalDir(t.TempDir()))
		if _, err := dst.PruneSeen(t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := dst.Update(t0, func(tx *Tx) error { return tx.PutBlobFile(blobKey("c"), writeFile(t, dst, []byte("c"))) }); err != nil {
			t.Fatal(err)
		}
		if err := dst.Update(t0, func(tx *Tx) error { return tx.tx.Bucket(bucketBlobFiles).Delete([]byte(blobKey("c"))) }); err != nil {
			t.Fatal(err)
		}
		if _, err := Copy(dst, src); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("Copy into a store holding blob content = %v, want ErrNotEmpty", err)
		}
	})
}
