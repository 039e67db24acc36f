package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
)

// largeLog is a log of at least n bytes with a password every 1,000 lines.
func largeLog(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		if i%1000 == 0 {
			fmt.Fprintf(&b, "error [2026-03-02 10:00:00.000 Z] db ping failed dsn=postgres://mmuser:Hunter2secret%d@db:5432/mm\n", i)
		}
		fmt.Fprintf(&b, "info  [2026-03-02 10:00:%02d.000 Z] Request completed request_id=%08x path=/api/v4/users/me\n", i%60, i)
	}
	return b.Bytes()
}

// A large log is downloaded to a temporary file, masked into another,
// kept in the store as a blob file (not a bbolt value), filed from that
// file, and deleted once filed; no temporary file is left at any point.
func TestLargeUploadIsKeptAsAFileAndFiledFromIt(t *testing.T) {
	r := newTicketRig(t)
	r.chat.downloads = r.db.TempDir()
	log := largeLog(3 << 20)
	path := filepath.Join(t.TempDir(), "mattermost.log")
	if err := os.WriteFile(path, log, 0o600); err != nil {
		t.Fatal(err)
	}
	r.chat.files = map[setbot.FileID]setbot.File{"f-log": {ID: "f-log", Name: "mattermost.log", Size: int64(len(log)), Content: setbot.Content{Path: path, Size: int64(len(log))}}}
	for _, text := range []string{"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 15", "yes", "ok",
		"server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in", "bug", "L2", "not available: customer policy"} {
		r.dm(text)
	}
	r.dm("", "f-log")
	assertNoFiles(t, r.db.TempDir())
	var s conversations.State
	if err := json.Unmarshal(mustConversation(t, r), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Intake.Logs) != 1 || s.Intake.Logs[0].BlobKey == "" {
		t.Fatalf("logs %+v: want one, masked", s.Intake.Logs)
	}
	key := s.Intake.Logs[0].BlobKey
	c, ok, err := r.db.Blob(key)
	if err != nil || !ok || c.Path == "" || !strings.HasPrefix(c.Path, r.path+".blobs") {
		t.Fatalf("Blob = %+v, %v, %v: want a blob file", c, ok, err)
	}
	kept := readContent(c)
	if bytes.Contains(kept, []byte("Hunter2secret")) || int64(len(kept)) != c.Len() {
		t.Fatal("the kept copy is not the masked log")
	}
	for _, text := range []string{"done", "none", "skip"} {
		r.dm(text)
	}
	r.drain(t)
	r.dm("confirm")
	r.drain(t)
	if r.jira.filed != 1 || !bytes.Equal(r.jira.attached["mattermost.log"], kept) {
		t.Fatalf("filed %d; attached %d bytes, want the %d kept", r.jira.filed, len(r.jira.attached["mattermost.log"]), len(kept))
	}
	if _, ok, _ := r.db.Blob(key); ok {
		t.Error("blob kept after filing")
	}
	assertNoFiles(t, r.path+".blobs")
	assertNoFiles(t, r.db.TempDir())
}

func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		t.Errorf("left in %s: %s", filepath.Base(dir), e.Name())
	}
}

func TestBudgetBoundsBytesAtOnce(t *testing.T) {
	b := newBudget(100)
	ctx := context.Background()
	r1, _ := b.acquire(ctx, 60)
	r2, _ := b.acquire(ctx, 40)
	got := make(chan string, 3)
	var wg sync.WaitGroup
	wait := func(name string, n int64) {
		defer wg.Done()
		release, err := b.acquire(ctx, n)
		if err != nil {
			t.Error(err)
			return
		}
		got <- name
		release()
	}
	wg.Add(1)
	go wait("big", 1000) // more than the budget: runs alone, when all is free
	waitFor(t, func() bool { return queued(b) == 1 })
	wg.Add(1)
	go wait("small", 10) // fits beside nothing yet: waits its turn behind big
	waitFor(t, func() bool { return queued(b) == 2 })
	r1()
	select {
	case name := <-got:
		t.Fatalf("%s ran while 40 of 100 bytes were still taken", name)
	case <-time.After(20 * time.Millisecond):
	}
	r2()
	wg.Wait()
	if a, b := <-got, <-got; a != "big" || b != "small" {
		t.Errorf("served %s then %s, want big then small", a, b)
	}
}

func TestBudgetWaitEndsWithItsContext(t *testing.T) {
	b := newBudget(100)
	release, _ := b.acquire(context.Background(), 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := b.acquire(ctx, 10)
		done <- err
	}()
	waitFor(t, func() bool { return queued(b) == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("acquired after its context ended")
	}
	release()
	if r, err := b.acquire(context.Background(), 100); err != nil {
		t.Fatalf("the budget is not whole again: %v", err)
	} else {
		r()
	}
}

func queued(b *budget) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiters.Len()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
	}
}
