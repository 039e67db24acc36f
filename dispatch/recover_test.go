package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// TestPostThatPanicsIsHandledWithAnApology: a bug hit while handling a
// post neither crashes setbot nor comes back on every replay: the post is
// marked handled, and its author gets one apology.
func TestPostThatPanicsIsHandledWithAnApology(t *testing.T) {
	r := newTicketRig(t)
	r.chat.panics = true
	m := setbot.Message{ID: "m-boom", ChannelID: "c-set", RootID: "p-root", Kind: setbot.ChannelSET,
		UserID: "u-sam", Username: "sam", Text: "@setbot ticket", Mentioned: true, At: r.now}
	r.d.handle(context.Background(), m)
	r.d.handle(context.Background(), m) // a replay
	r.drain(t)
	posts := r.chat.take()
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "something went wrong on my side") || posts[0].RootID != "p-root" {
		t.Fatalf("after a panic and its replay: %+v, want one apology in the thread", posts)
	}
	if seen, err := r.db.Seen("m-boom"); err != nil || !seen {
		t.Errorf("the post is not marked handled: %v %v", seen, err)
	}
}

// TestJobThatPanicsIsRetriedThenDropped: a job that panics is retried with
// backoff, and dropped after maxPanics attempts; setbot keeps running.
func TestJobThatPanicsIsRetriedThenDropped(t *testing.T) {
	const kind = "test-panic"
	jobSpecs[kind] = jobSpec{laneChat, func(context.Context, *core, store.Job) error { panic("a bug") }}
	t.Cleanup(func() { delete(jobSpecs, kind) })
	r := newTicketRig(t)
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		_, err := tx.Enqueue(kind, "", struct{}{}, tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= maxPanics; i++ {
		runLanes(r.d)
		if n := r.pending(t); (n == 1) != (i < maxPanics) {
			t.Fatalf("after %d panics, %d jobs wait; want the job kept until %d", i, n, maxPanics)
		}
		r.now = r.now.Add(24 * time.Hour) // past any backoff
	}
	if n, err := r.db.DeadLetters(); err != nil || n != 1 {
		t.Errorf("dead letters %d (%v), want the job kept there", n, err)
	}
}

// TestUnreadableConversationStartsAgain: a stored conversation that does
// not decode is archived and removed, the person is told, and their DMs
// are handled again instead of failing forever.
func TestUnreadableConversationStartsAgain(t *testing.T) {
	r := newTicketRig(t)
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		return tx.PutConversation("u-sam", []byte(`{"version": "one", "phase": 7`))
	}); err != nil {
		t.Fatal(err)
	}
	r.dm("Login fails with 500 for LDAP users on 10.11.4")
	r.drain(t)
	got := texts(r.chat.take())
	if !strings.Contains(got, "could not read back our earlier conversation") || !strings.Contains(got, "Shall I open a SET ticket") {
		t.Fatalf("after an unreadable conversation:\n%s", got)
	}
	if p := r.phase(t); p != "offered" {
		t.Errorf("phase %q, want a fresh offer", p)
	}
}

// TestPostRetriedAfterTheDedupeWindowIsNotDoubled: a post job that posted
// but was not finished (setbot crashed, or the answer was lost) and runs
// again after Mattermost forgot its pending_post_id finds its post instead
// of posting twice; a young job does not even look.
func TestPostRetriedAfterTheDedupeWindowIsNotDoubled(t *testing.T) {
	r := newTicketRig(t)
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		return enqueueReplies(tx, []setbot.Reply{{To: "u-sam", Text: "hello"}})
	}); err != nil {
		t.Fatal(err)
	}
	jobs, err := r.db.DueJobs(r.now, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v %v", jobs, err)
	}
	j := jobs[0]
	run := jobSpecs[jobPost].run
	if err := run(context.Background(), r.d.c, j); err != nil { // posted; the job is left unfinished
		t.Fatal(err)
	}
	if r.chat.finds != 0 {
		t.Errorf("a young job looked for its post %d times", r.chat.finds)
	}
	r.chat.expired = true
	r.now = r.now.Add(time.Minute)
	if err := run(context.Background(), r.d.c, j); err != nil {
		t.Fatal(err)
	}
	if posts := r.chat.take(); len(posts) != 1 || r.chat.finds != 1 {
		t.Errorf("%d posts after a retry past the dedupe window (%d lookups), want 1", len(posts), r.chat.finds)
	}
}

// TestRetryAfterIsHonoured: a post that Mattermost throttles with
// Retry-After waits at least that long before its retry.
func TestRetryAfterIsHonoured(t *testing.T) {
	r := newTicketRig(t)
	r.chat.postErr = errors.Join(setbot.Errorf(setbot.EUnavailable, "Mattermost could not post (HTTP 429)."),
		&setbot.Throttled{After: 10 * time.Minute})
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		return enqueueReplies(tx, []setbot.Reply{{To: "u-sam", Text: "hello"}})
	}); err != nil {
		t.Fatal(err)
	}
	runLanes(r.d)
	if jobs, _ := r.db.DueJobs(r.now.Add(9*time.Minute), 10); len(jobs) != 0 {
		t.Errorf("the throttled post is due again within 9 minutes")
	}
	if jobs, _ := r.db.DueJobs(r.now.Add(10*time.Minute+time.Second), 10); len(jobs) != 1 {
		t.Errorf("the throttled post is not due after its Retry-After")
	}
}

// TestFilingWithALostFileTellsThePerson: when a stored copy of an upload
// is gone, the filing does not wait in "filing" forever: the person is told
// and the intake goes back to its review.
func TestFilingWithALostFileTellsThePerson(t *testing.T) {
	r := newTicketRig(t)
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	r.chat.files = map[setbot.FileID]setbot.File{} // the log's original is gone from Mattermost
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		var s conversations.State
		if err := json.Unmarshal(tx.Conversation("u-sam"), &s); err != nil {
			return err
		}
		for i := range s.Intake.Logs {
			s.Intake.Logs[i].BlobKey = "sha256:gone" // and its stored copy
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		return tx.PutConversation("u-sam", raw)
	}); err != nil {
		t.Fatal(err)
	}
	r.dm("confirm")
	r.drain(t)
	if dm := lastDM(t, r.chat.take()); !strings.Contains(dm.Text, "could not read back a file") {
		t.Errorf("the person was told %q", dm.Text)
	}
	if p := r.phase(t); p != conversations.PhaseReview || r.jira.filed != 0 || r.pending(t) != 0 {
		t.Errorf("phase %q, filed %d, jobs %d: want back in review, nothing filed, no job left", p, r.jira.filed, r.pending(t))
	}
}

// TestUploadsAreDeletedOnceFiled: the stored copies of an intake's uploads
// are kept while it is open and being filed, and deleted once it is filed.
func TestUploadsAreDeletedOnceFiled(t *testing.T) {
	r := newTicketRig(t)
	// A log with a secret is kept as a masked copy: a stored upload.
	log := []byte("{\"level\":\"error\",\"msg\":\"db connect failed\",\"dsn\":\"postgres://mmuser:Hunter2secret@db:5432/mm\"}\n")
	r.chat.files = map[setbot.FileID]setbot.File{"f-log": {ID: "f-log", Name: "mattermost.log", Content: setbot.Content{Data: log}, Size: int64(len(log))}}
	for _, text := range []string{"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 15", "yes", "ok",
		"server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in", "bug", "L2", "not available: customer policy"} {
		r.dm(text)
	}
	r.dm("", "f-log")
	for _, text := range []string{"done", "none", "skip"} {
		r.dm(text)
	}
	r.drain(t)
	var s conversations.State
	if err := json.Unmarshal(mustConversation(t, r), &s); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range append(append([]setbot.Attachment(nil), s.Intake.Logs...), s.Intake.Profiles...) {
		if a.BlobKey != "" {
			keys = append(keys, a.BlobKey)
		}
	}
	if len(keys) == 0 {
		t.Fatal("the intake holds no stored upload to watch")
	}
	r.dm("confirm")
	r.drain(t)
	if r.jira.filed != 1 {
		t.Fatalf("filed %d", r.jira.filed)
	}
	for _, k := range keys {
		if _, ok, err := r.db.Blob(k); err != nil || ok {
			t.Errorf("upload %s still stored after filing (%v)", k[:16], err)
		}
	}
}

func mustConversation(t *testing.T, r *ticketRig) []byte {
	t.Helper()
	var raw []byte
	if err := r.db.Update(r.now, func(tx *store.Tx) error { raw = tx.Conversation("u-sam"); return nil }); err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestStoppingNeverWaitsOnAFullQueue: with the worker stuck in a hung
// Mattermost call and its queue full, Deliver blocks (back-pressure) until
// Run is told to stop, and then returns at once instead of holding up
// shutdown.
func TestStoppingNeverWaitsOnAFullQueue(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.Workers = 1
	r.open()
	r.chat.hang = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.d.Run(ctx) }()
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		for i := range queueDepth + 3 { // the first hangs in the worker; the queue fills; the last blocks
			r.d.Deliver(setbot.Message{ID: setbot.PostID(fmt.Sprintf("q%d", i)), ChannelID: "c-set", RootID: "p-root", Kind: setbot.ChannelSET,
				UserID: "u-sam", Username: "sam", Text: "@setbot ticket", Mentioned: true, At: r.now})
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); len(r.d.shards[0]) < queueDepth; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the queue never filled")
		}
	} // the worker hangs and its queue is full: the next Deliver blocks
	cancel()
	select {
	case <-delivered:
	case <-time.After(10 * time.Second):
		t.Fatal("Deliver still blocks after Run was told to stop")
	}
	close(r.chat.hang)
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// TestOnePersonsBacklogDelaysAnotherByOneTurn: with 300 replies queued for
// sam, a reply to dave queued after them is posted within sam's first turn
// (turn posts), not 301st, and sam's replies keep their order.
func TestOnePersonsBacklogDelaysAnotherByOneTurn(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.ChatWorkers = chatWorkers // as in production: recipients posted to at once
	r.open()
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		for i := range 300 {
			if err := enqueueReplies(tx, []setbot.Reply{{To: "u-sam", Text: fmt.Sprintf("sam %03d", i)}}); err != nil {
				return err
			}
		}
		return enqueueReplies(tx, []setbot.Reply{{To: "u-dave", Text: "dave"}})
	}); err != nil {
		t.Fatal(err)
	}
	r.d.c.runDue(context.Background(), laneChat)
	posts := r.chat.take()
	if len(posts) != 301 {
		t.Fatalf("%d posts, want 301", len(posts))
	}
	var sams []string
	for i, p := range posts {
		if p.To == "u-dave" {
			if i > turn { // sam's first turn is posted beside it, at most
				t.Errorf("dave's reply was post %d; want it within the first turn (%d)", i+1, turn+1)
			}
			continue
		}
		sams = append(sams, p.Text)
	}
	for i, text := range sams {
		if want := fmt.Sprintf("sam %03d", i); text != want {
			t.Fatalf("sam's post %d is %q, want %q: one person's replies must keep their order", i, text, want)
		}
	}
}

// TestLostLeaseStopsWorkAtOnce: a leader that lost its lease cancels the
// work in hand at once (another replica leads; this one's writes are
// fenced) instead of letting it finish, as an ordinary stop does.
func TestLostLeaseStopsWorkAtOnce(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.Workers, r.cfg.InFlightBound = 1, time.Hour // an ordinary stop would wait for the hung call
	r.open()
	r.chat.hang = make(chan struct{})
	defer close(r.chat.hang)
	ctx, cancel := context.WithCancelCause(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.d.Run(ctx) }()
	r.d.Deliver(setbot.Message{ID: "p-hung", ChannelID: "c-set", RootID: "p-root", Kind: setbot.ChannelSET,
		UserID: "u-sam", Username: "sam", Text: "@setbot ticket", Mentioned: true, At: r.now})
	for deadline := time.Now().Add(10 * time.Second); r.chat.hanging() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the worker never reached the hung call")
		}
	}
	cancel(store.ErrLeaseLost)
	select {
	case err := <-ran:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run still waits for work in hand after the lease was lost")
	}
	if seen, _ := r.db.Seen("p-hung"); seen {
		t.Error("the post cut short was marked handled; the new leader would never answer it")
	}
}
