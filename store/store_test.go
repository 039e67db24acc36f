package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/setbot/setbot"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "setbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestLayoutMatchesComment keeps the drawing at the top of store.go honest:
// every bucket it draws exists, and every bucket that exists is drawn.
func TestLayoutMatchesComment(t *testing.T) {
	src, err := os.ReadFile("store.go")
	if err != nil {
		t.Fatal(err)
	}
	var drawn []string
	for _, m := range regexp.MustCompile(`(?m)^//\t([a-z_]+)/$`).FindAllStringSubmatch(string(src), -1) {
		drawn = append(drawn, m[1])
	}
	db := openTemp(t)
	var actual []string
	err = db.eng.(*boltEngine).db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			actual = append(actual, string(name))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(drawn)
	slices.Sort(actual)
	if !slices.Equal(drawn, actual) {
		t.Fatalf("store.go draws buckets %v but the file has %v", drawn, actual)
	}
}

// TestPostgresSchemaMatchesComment keeps the table list at the top of
// store.go honest: every table it lists is made by a migration (or is the
// version table), and every table made is listed.
func TestPostgresSchemaMatchesComment(t *testing.T) {
	src, err := os.ReadFile("store.go")
	if err != nil {
		t.Fatal(err)
	}
	var drawn []string
	for _, m := range regexp.MustCompile(`(?m)^//\t(setbot_[a-z_]+)\(`).FindAllStringSubmatch(string(src), -1) {
		drawn = append(drawn, m[1])
	}
	made := []string{"setbot_schema_version"}
	for _, mig := range migrations {
		for _, stmt := range mig {
			if m := regexp.MustCompile(`^CREATE TABLE (setbot_[a-z_]+)`).FindStringSubmatch(stmt); m != nil {
				made = append(made, m[1])
			}
		}
	}
	slices.Sort(drawn)
	slices.Sort(made)
	if !slices.Equal(drawn, made) {
		t.Fatalf("store.go lists tables %v but the migrations make %v", drawn, made)
	}
}

func TestSecondOpenFailsWithInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(path)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), "already in use by another process") {
		t.Fatalf("message %q does not say the file is in use", err)
	}
}

func TestNewerVersionIsRefused(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if err := db.eng.update(func(tx kvTx) error {
			return tx.Bucket(bucketMeta).Put(keyVersion, []byte("99"))
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err := s.tryOpen()
		if err == nil || !strings.Contains(err.Error(), "newer setbot") {
			t.Fatalf("Open of a version-99 store = %v, want a refusal naming a newer setbot", err)
		}
	})
}

func TestHandleRunsOncePerPost(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		calls := 0
		for i := range 3 {
			dup, err := db.Handle("post1", t0, func(tx *Tx) error { calls++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if dup != (i > 0) {
				t.Fatalf("call %d: dup = %v", i, dup)
			}
		}
		if calls != 1 {
			t.Fatalf("fn ran %d times, want once", calls)
		}
	})
}

func TestHandleFailureRecordsNothing(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		boom := errors.New("boom")
		_, err := db.Handle("post1", t0, func(tx *Tx) error {
			if err := tx.PutConversation("u1", []byte(`{"x":1}`)); err != nil {
				return err
			}
			if _, err := tx.Enqueue(jobKindTest, "", "hello", time.Time{}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if seen, _ := db.Seen("post1"); seen {
			t.Fatal("a failed handling marked the post handled")
		}
		if jobs, _ := db.DueJobs(t0, 10); len(jobs) != 0 {
			t.Fatalf("a failed handling left %d jobs", len(jobs))
		}
		n := 0
		_ = db.Conversations(func(setbot.UserID, []byte) error { n++; return nil })
		if n != 0 {
			t.Fatal("a failed handling left a conversation")
		}
	})
}

const jobKindTest = "test"

func TestOutboxOrderRetryAndFinish(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(t0, func(tx *Tx) error {
			for _, s := range []string{"a", "b", "c"} {
				if _, err := tx.Enqueue(jobKindTest, s, s, time.Time{}); err != nil {
					return err
				}
			}
			_, err := tx.Enqueue(jobKindTest, "later", "later", t0.Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := db.DueJobs(t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 3 || jobs[0].Key != "a" || jobs[2].Key != "c" {
			t.Fatalf("due jobs = %+v, want a, b, c in order", jobs)
		}
		if err := db.RetryJob(jobs[0].ID, t0.Add(time.Minute), "down"); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishJob(jobs[1].ID, t0, nil); err != nil {
			t.Fatal(err)
		}
		jobs, _ = db.DueJobs(t0, 10)
		if len(jobs) != 1 || jobs[0].Key != "c" {
			t.Fatalf("after retry and finish, due = %+v, want only c", jobs)
		}
		jobs, _ = db.DueJobs(t0.Add(2*time.Minute), 10)
		if len(jobs) != 2 || jobs[0].Key != "a" || jobs[0].Attempts != 1 || jobs[0].LastError != "down" {
			t.Fatalf("retried job = %+v", jobs)
		}
	})
}

func TestDueJobsOfSkipsOtherKinds(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		err := db.Update(t0, func(tx *Tx) error {
			for i := range 5 {
				if _, err := tx.Enqueue("slow", fmt.Sprint(i), i, time.Time{}); err != nil {
					return err
				}
			}
			_, err := tx.Enqueue("chat", "reply", "hi", time.Time{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := db.DueJobsOf(t0, 2, func(kind string) bool { return kind == "chat" })
		if err != nil || len(jobs) != 1 || jobs[0].Key != "reply" {
			t.Fatalf("DueJobsOf(chat) = %+v, %v; want the reply behind five other jobs", jobs, err)
		}
		if jobs, _ := db.DueJobs(t0, 2); len(jobs) != 2 || jobs[0].Kind != "slow" {
			t.Fatalf("DueJobs = %+v; want the first two, of any kind", jobs)
		}
	})
}

func TestOutboxSurvivesReopen(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if err := db.Update(t0, func(tx *Tx) error {
			_, err := tx.Enqueue(jobKindTest, "k", map[string]string{"text": "hi"}, time.Time{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		db = s.reopen(t, db)
		jobs, err := db.DueJobs(t0, 10)
		if err != nil || len(jobs) != 1 || string(jobs[0].Payload) != `{"text":"hi"}` {
			t.Fatalf("after reopen: %+v, %v", jobs, err)
		}
	})
}

func TestCursorOnlyMovesForward(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		set := func(at time.Time) {
			if err := db.Update(t0, func(tx *Tx) error { return tx.SetCursor("ch", at) }); err != nil {
				t.Fatal(err)
			}
		}
		set(t0.Add(time.Minute))
		set(t0)
		got, err := db.Cursor("ch")
		if err != nil || !got.Equal(t0.Add(time.Minute)) {
			t.Fatalf("cursor = %v, %v; want %v", got, err, t0.Add(time.Minute))
		}
		if got, _ := db.Cursor("other"); !got.IsZero() {
			t.Fatalf("cursor of an unseen channel = %v, want zero", got)
		}
	})
}

func TestNewestCursor(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if got, err := db.NewestCursor(); err != nil || !got.IsZero() {
			t.Fatalf("newest cursor of a new store = %v, %v; want zero", got, err)
		}
		err := db.Update(t0, func(tx *Tx) error {
			for ch, at := range map[setbot.ChannelID]time.Time{"a": t0, "b": t0.Add(2 * time.Minute), "c": t0.Add(time.Minute)} {
				if err := tx.SetCursor(ch, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.NewestCursor(); !got.Equal(t0.Add(2 * time.Minute)) {
			t.Fatalf("newest cursor = %v, want channel b's %v", got, t0.Add(2*time.Minute))
		}
	})
}

func TestPruneSeen(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		for i, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(48 * time.Hour)} {
			if _, err := db.Handle(setbot.PostID(rune('a'+i)), at, func(*Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.PruneSeen(t0.Add(2 * time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("PruneSeen = %d, %v; want 2", n, err)
		}
		if seen, _ := db.Seen("c"); !seen {
			t.Fatal("a recent mark was pruned")
		}
	})
}

func TestButtonKeyIsStable(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		k1, err := db.ButtonKey()
		if err != nil || len(k1) != 32 {
			t.Fatalf("ButtonKey = %x, %v", k1, err)
		}
		k2, _ := db.ButtonKey()
		if string(k1) != string(k2) {
			t.Fatal("button key changed between calls")
		}
	})
}

func TestBlobs(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *testStore) {
		db := s.open(t)
		if err := db.Update(t0, func(tx *Tx) error { return tx.PutBlob("sha256:x", []byte("content")) }); err != nil {
			t.Fatal(err)
		}
		got, ok, err := db.Blob("sha256:x")
		if err != nil || !ok || string(got.Data) != "content" {
			t.Fatalf("Blob = %q, %v, %v", got.Data, ok, err)
		}
		if _, ok, _ := db.Blob("missing"); ok {
			t.Fatal("missing blob found")
		}
	})
}
