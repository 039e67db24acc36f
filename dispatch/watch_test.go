package dispatch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// watchRig is the paging rig (primary alice, backup bob, lead carol, admin
// erin) with the first-response watch on: 1 h, around the clock unless a
// test sets hours.
type watchRig struct{ *pagingRig }

func newWatchRig(t *testing.T, hours string) *watchRig {
	t.Helper()
	h, err := setbot.ParseHours(hours)
	if err != nil {
		t.Fatal(err)
	}
	r := &watchRig{newPagingRig(t)}
	r.cfg.Watch = setbot.WatchPolicy{FirstResponse: time.Hour, Hours: h, Location: time.UTC, Targets: setbot.DefaultWatchTargets}
	r.open(t)
	return r
}

// say posts text in ~sustained-engineering as user, without mentioning
// setbot (root: its thread), and returns the post's id.
func (r *watchRig) say(user string, root setbot.PostID, text string) setbot.PostID {
	r.seq++
	id := setbot.PostID(fmt.Sprintf("w%d", r.seq))
	r.deliver(setbot.Message{ID: id, ChannelID: "c-set", RootID: root, Kind: setbot.ChannelSET,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: text, At: r.now})
	return id
}

// at moves the clock to from+d and returns the nudges posted by then.
func (r *watchRig) at(from time.Time, d time.Duration) []setbot.Reply {
	r.now = from.Add(d)
	r.d.c.watch.flush(context.Background())
	r.d.c.watch.tick(context.Background(), r.now)
	runLanes(r.d)
	return r.chat.take()
}

func TestUnansweredPostNudgesPrimaryThenBackupOnce(t *testing.T) {
	r := newWatchRig(t, "")
	t0 := r.now
	post := r.say("sam", "", "Customer Y: LDAP sync fails after the upgrade, any idea?")
	r.say("sam", post, "Adding the logs here") // the poster's own reply is no answer
	r.say("dave", post, "same here")           // nor is someone's not on SET
	if got := r.at(t0, 59*time.Minute); len(got) != 0 {
		t.Fatalf("nudged before the hour:\n%s", texts(got))
	}
	got := r.at(t0, time.Hour)
	if len(got) != 1 || got[0].RootID != post || !strings.HasPrefix(got[0].Text, "@alice: this post has had no answer from SET for 1h.") {
		t.Fatalf("at the hour:\n%s", texts(got))
	}
	r.open(t) // a restart does not repeat it
	if got := r.at(t0, 90*time.Minute); len(got) != 0 {
		t.Fatalf("repeated after a restart:\n%s", texts(got))
	}
	got = r.at(t0, 2*time.Hour)
	if len(got) != 1 || got[0].RootID != post || !strings.HasPrefix(got[0].Text, "@alice @bob: ") {
		t.Fatalf("at twice the hour, the backup too:\n%s", texts(got))
	}
	if got := r.at(t0, 48*time.Hour); len(got) != 0 {
		t.Fatalf("nudged a third time:\n%s", texts(got))
	}
}

func TestAnsweredPostsAndOwnPostsAreNotNudged(t *testing.T) {
	r := newWatchRig(t, "")
	t0 := r.now
	answered := r.say("sam", "", "Is the 10.5 hotfix out?")
	r.say("bob", answered, "Yes, since this morning.") // bob is the backup: SET
	// A reply handled before its thread's first post (another worker)
	// still counts.
	r.seq++
	early := setbot.PostID(fmt.Sprintf("w%d", r.seq))
	r.say("alice", early, "Looking.")
	r.deliver(setbot.Message{ID: early, ChannelID: "c-set", Kind: setbot.ChannelSET,
		UserID: "u-sam", Username: "sam", Text: "Push is late for customer Z", At: t0})
	r.say("carol", "", "FYI: I am on the lead rotation this week") // SET's own post
	r.post("sam", "c-set", "", "who")                              // a command
	r.drain()
	r.chat.take()
	unanswered := r.say("sam", "", "Anyone for the SAML question?")
	got := r.at(t0, 3*time.Hour)
	if len(got) != 1 || got[0].RootID != unanswered {
		t.Fatalf("want only the unanswered question nudged:\n%s", texts(got))
	}
}

func TestWatchClockRunsInBusinessHoursExceptForL1(t *testing.T) {
	r := newWatchRig(t, "Mon-Fri 08:00-18:00")
	fri := time.Date(2026, 3, 6, 17, 30, 0, 0, time.UTC)
	r.now = fri
	plain := r.say("sam", "", "Export is slow for one customer")
	urgent := r.say("sam", "", "L1: customer X is down, nobody can log in")
	got := r.at(fri, time.Hour)
	if len(got) != 1 || got[0].RootID != urgent || !strings.HasPrefix(got[0].Text, "@alice: ") || !strings.Contains(got[0].Text, "It names L1.") {
		t.Fatalf("Friday 18:30: want the L1 post only:\n%s", texts(got))
	}
	if got := r.at(fri, 2*time.Hour); len(got) != 1 || got[0].RootID != urgent || !strings.HasPrefix(got[0].Text, "@alice @bob: ") {
		t.Fatalf("Friday 19:30: want the L1 post's second nudge:\n%s", texts(got))
	}
	mon := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)
	if got := r.at(mon, 29*time.Minute); len(got) != 0 {
		t.Fatalf("before Monday 08:30:\n%s", texts(got))
	}
	// The rig's rotation has nobody next week: the admins are asked.
	if got := r.at(mon, 30*time.Minute); len(got) != 1 || got[0].RootID != plain || !strings.HasPrefix(got[0].Text, "@erin: ") {
		t.Fatalf("Monday 08:30 (an hour of business time): want the plain post, to the admin:\n%s", texts(got))
	}
}

func TestWatchOffWithoutFirstResponse(t *testing.T) {
	r := newWatchRig(t, "")
	r.cfg.Watch.FirstResponse = 0
	r.open(t)
	t0 := r.now
	r.say("sam", "", "Anyone?")
	if got := r.at(t0, 48*time.Hour); len(got) != 0 {
		t.Fatalf("the watch is off but nudged:\n%s", texts(got))
	}
}
