package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// recMeter records every Meter call as a line, like "job post done 2s".
type recMeter struct {
	mu    sync.Mutex
	calls []string
}

var _ Meter = (*recMeter)(nil)

func (m *recMeter) add(format string, a ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf(format, a...))
}

func (m *recMeter) Handled(kind string) { m.add("handled %s", kind) }
func (m *recMeter) Duplicate()          { m.add("duplicate") }
func (m *recMeter) Job(kind, outcome string, took time.Duration) {
	m.add("job %s %s %s", kind, outcome, took)
}
func (m *recMeter) Filed()                { m.add("filed") }
func (m *recMeter) Paged(step string)     { m.add("paged %s", step) }
func (m *recMeter) Acked()                { m.add("acked") }
func (m *recMeter) Reminded(lead bool)    { m.add("reminded lead=%v", lead) }
func (m *recMeter) Clicked(action string) { m.add("clicked %s", action) }

// TimerPass is not recorded: passes happen on every tick, and the tests
// here count what the dispatcher did, not how often the loop turned.
func (m *recMeter) TimerPass(time.Time) {}

// take returns the calls so far and forgets them.
func (m *recMeter) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.calls
	m.calls = nil
	return out
}

func wantCalls(t *testing.T, m *recMeter, want ...string) {
	t.Helper()
	if got := m.take(); !slices.Equal(got, want) {
		t.Errorf("meter calls:\n  got  %q\n  want %q", got, want)
	}
}

// slowChat is a chat whose posts take postTakes on the rig's clock.
type slowChat struct {
	*fakeChat
	now *time.Time
}

const postTakes = 2 * time.Second

func (c slowChat) Post(ctx context.Context, r setbot.Reply, key string) (setbot.PostID, error) {
	*c.now = c.now.Add(postTakes)
	return c.fakeChat.Post(ctx, r, key)
}

func TestMeterCountsPostsAndJobs(t *testing.T) {
	r := newTicketRig(t)
	m := &recMeter{}
	r.d.c.ext.Meter = m
	r.d.c.chat = slowChat{r.chat, &r.now}

	dm := setbot.Message{ID: "dm1", ChannelID: "c-dm", Kind: setbot.ChannelDM, UserID: "u-dave", Username: "dave", Text: "hello", At: r.now}
	r.d.handle(context.Background(), dm)
	wantCalls(t, m, "handled dm")
	r.d.handle(context.Background(), dm) // a replay
	wantCalls(t, m, "duplicate")
	r.drain(t)
	if got := m.take(); len(got) == 0 || !slices.ContainsFunc(got, func(c string) bool { return c == "job post done 2s" }) {
		t.Errorf("after the DM's answer was posted, meter calls %q; want a post job done in %s", got, postTakes)
	}

	r.mention("dave", "help")
	wantCalls(t, m, "handled channel")
	r.d.handle(context.Background(), setbot.Message{ID: "o1", ChannelID: "c-war", Kind: setbot.ChannelOther, UserID: "u-dave",
		Username: "dave", Text: "@setbot help", Mentioned: true, At: r.now})
	wantCalls(t, m, "handled other")
	// Posts setbot does not react to are not counted as handled.
	r.d.handle(context.Background(), setbot.Message{ID: "n1", ChannelID: "c-set", Kind: setbot.ChannelSET, UserID: "u-dave", Text: "no mention"})
	wantCalls(t, m)
}

func TestMeterCountsJobOutcomesAndFilings(t *testing.T) {
	r := newTicketRig(t)
	m := &recMeter{}
	r.d.c.ext.Meter = m
	file := func(id string) {
		err := r.db.Update(r.now, func(tx *store.Tx) error {
			return enqueueFiling(tx, setbot.Intake{ID: id, Reporter: "u-dave", Username: "dave", Priority: setbot.L3, Summary: "slow " + id}, false)
		})
		if err != nil {
			t.Fatal(err)
		}
		runLanes(r.d)
	}

	r.jira.err = setbot.Errorf(setbot.EUnavailable, "Jira is down.")
	file("i1")
	if got := m.take(); !slices.Contains(got, "job file retry 0s") || slices.Contains(got, "filed") {
		t.Errorf("Jira down: meter calls %q; want a file job retried and nothing filed", got)
	}
	r.jira.err = nil
	r.now = r.now.Add(time.Hour)
	runLanes(r.d)
	if got := m.take(); !slices.Contains(got, "filed") || !slices.Contains(got, "job file done 0s") {
		t.Errorf("Jira back: meter calls %q; want the ticket filed and its job done", got)
	}

	// A job that cannot succeed is dropped.
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		_, err := tx.Enqueue(jobPost, "", "not a reply", time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runLanes(r.d)
	wantCalls(t, m, "job post dropped 0s")
}

func TestMeterCountsPagesAcksAndClicks(t *testing.T) {
	r := newPagingRig(t)
	m := &recMeter{}
	r.d.c.ext.Meter = m
	_, step := r.pageAndStep(t, "search is broken")
	if got := m.take(); !slices.Contains(got, "paged primary") {
		t.Errorf("meter calls %q; want the primary paged", got)
	}
	click := setbot.Click{UserID: "u-alice", Username: "alice", Action: step[1].Buttons[0].Action}
	r.d.Click(context.Background(), click)
	wantCalls(t, m, "clicked ack", "acked")
	click.UserID, click.Username = "u-bob", "bob"
	r.d.Click(context.Background(), click) // already acknowledged: a click, no ack
	wantCalls(t, m, "clicked ack")
	r.d.Click(context.Background(), setbot.Click{UserID: "u-bob", Username: "bob", Action: "who-knows"})
	wantCalls(t, m, "clicked other")
}

func TestMeterCountsReminders(t *testing.T) {
	r := newIncRig(t)
	fileL2(t, r)
	m := &recMeter{}
	r.d.c.ext.Meter = m
	r.now = inc0.Add(24 * time.Hour)
	r.tick(t)
	r.tick(t) // nothing more is due
	r.now = inc0.Add(28 * time.Hour)
	r.tick(t)
	var reminders []string
	for _, c := range m.take() {
		if strings.HasPrefix(c, "reminded") {
			reminders = append(reminders, c)
		}
	}
	if want := []string{"reminded lead=false", "reminded lead=true"}; !slices.Equal(reminders, want) {
		t.Errorf("reminders counted %q, want %q", reminders, want)
	}
}

func TestClickKinds(t *testing.T) {
	for action, want := range map[string]string{
		setbot.AckAction("p1"):                          "ack",
		actionIntake + "confirm":                        "intake",
		actionCycleAssign + "dave:r:SET-1":              "report",
		"something:new":                                 "other",
		string(setbot.SnoozeButtons("SET-1")[0].Action): "snooze",
	} {
		if got := clickKind(action); got != want {
			t.Errorf("clickKind(%q) = %q, want %q", action, got, want)
		}
	}
}
