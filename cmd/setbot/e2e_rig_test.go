//go:build e2e

package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// freeAddr returns a loopback address nobody listens on, so that the
// config's public_url can name setbot's HTTP address before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// rig is setbot on the real server with the fake Jira, a rotation of this
// week (primary alice, backup bob, lead carol) and a public URL, so that
// buttons work.
type rig struct {
	w    *mmtest.World
	fake *jiratest.Server
	cfg  string // the config file's path
}

// newRig writes the config; extra is TOML appended to it (sections other
// than [rotation], [jira] and [http]).
func newRig(t *testing.T, w *mmtest.World, extra string) *rig {
	t.Helper()
	fake := jiratest.New(t, jiratest.Options{MoreProjects: []string{"PM"}, Users: []jiratest.User{
		{AccountID: "acc-alice", Email: "alice@example.com", Display: "Alice"},
		{AccountID: "acc-bob", Email: "bob@example.com", Display: "Bob"},
	}})
	addr := freeAddr(t)
	monday := time.Now().UTC()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	text := fmt.Sprintf(`
[rotation]
[[rotation.week]]
starts = %q
primary = "alice"
backup = "bob"
lead = "carol"

[jira]
url = %q
deployment = "cloud"
email = "bot@example.com"
token = "fake-token"
project = "SET"
[jira.accounts]
alice = "acc-alice"
bob = "acc-bob"
%s`, monday.Format("2006-01-02"), fake.URL(), extra)
	cfg := botConfig(t, w, t.TempDir(), text)
	cfg = strings.Replace(readFile(t, cfg), `listen = "127.0.0.1:0"`, fmt.Sprintf("listen = %q\npublic_url = %q", addr, "http://"+addr), 1)
	return &rig{w: w, fake: fake, cfg: writeConfig(t, cfg)}
}

// start runs setbot with the rig's config.
func (r *rig) start(t *testing.T) *running { return start(t, r.cfg) }

// chatter is a person talking to setbot in their DM.
type chatter struct {
	t       *testing.T
	ctx     context.Context
	p       *mmtest.Person
	dm      string
	fromBot mmtest.Match
}

func newChatter(t *testing.T, w *mmtest.World, name string) *chatter {
	t.Helper()
	p := person(t, w, name)
	ctx := context.Background()
	dm, err := p.DMChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &chatter{t: t, ctx: ctx, p: p, dm: dm, fromBot: p.FromBot(dm, "")}
}

// say DMs text and waits for setbot's answer containing want.
func (c *chatter) say(text, want string) *model.Post {
	c.t.Helper()
	return c.send(text, want, replyTimeout)
}

func (c *chatter) send(text, want string, within time.Duration, files ...string) *model.Post {
	c.t.Helper()
	mark := c.p.Mark()
	if _, err := c.p.DM(c.ctx, text, files...); err != nil {
		c.t.Fatal(err)
	}
	post, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, want), within)
	if err != nil {
		c.t.Fatalf("after %q: %v", text, err)
	}
	return post
}

// upload sends a file in the DM and waits for an answer containing want.
func (c *chatter) upload(name string, data []byte, want string) *model.Post {
	c.t.Helper()
	id, err := c.p.Upload(c.ctx, c.dm, name, data)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.send("", want, replyTimeout, id)
}

// click presses a button on post and waits for an answer containing want.
func (c *chatter) click(post *model.Post, label, want string) *model.Post {
	c.t.Helper()
	mark := c.p.Mark()
	if err := c.p.Click(c.ctx, post, label); err != nil {
		c.t.Fatal(err)
	}
	got, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, want), replyTimeout)
	if err != nil {
		c.t.Fatalf("after clicking %s: %v", label, err)
	}
	return got
}

// highCPUIntake is the first message of the standard intake: version,
// database and the symptom (high CPU) in one sentence.
const highCPUIntake = "Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade"

// startIntake DMs the standard first message and clicks Start.
func (c *chatter) startIntake() {
	c.t.Helper()
	offer := c.say(highCPUIntake, "Shall I open a SET ticket")
	c.click(offer, "Start", "one-line summary")
}

// answerToPriority answers every question after the summary prompt up to
// the priority, answers priority (L1..L4), and waits for an answer
// containing want.
func (c *chatter) answerToPriority(priority, want string) {
	c.t.Helper()
	c.say("ok", "What exactly is affected")
	c.say("server: GET /api/v4/users/me takes 20 s", "Which customer")
	c.say("Acme Corp, about 2,000 of 5,000 users", "What can those users not do")
	c.say("nobody can post during business hours; no workaround", "bug, a feature request")
	c.say("bug", "Which priority")
	c.say(priority, want)
}

// answerIntake answers every question after the summary prompt, up to the
// review, with priority (L1..L4).
func (c *chatter) answerIntake(priority string) {
	c.t.Helper()
	c.answerToPriority(priority, "config.json")
	c.answerFiles(true)
}

// answerFiles answers the config.json question and the rest up to the
// review: a config, a log, done, a CPU profile (first a PNG, refused, when
// wrongFirst), and skip.
func (c *chatter) answerFiles(wrongFirst bool) {
	c.t.Helper()
	c.upload("config.json", mmtest.ConfigJSON(), "redacted")
	c.upload("mattermost.log", artifactstest.JSONLog(200), "Any more")
	c.say("done", "CPU profile")
	if wrongFirst {
		c.upload("cpu.pprof", artifactstest.PNG(), "PNG image")
	}
	c.answerProfile()
}

// answerProfile uploads a CPU profile when asked for one and skips the
// last question, up to the review.
func (c *chatter) answerProfile() {
	c.t.Helper()
	cpu, err := artifactstest.CPUProfile()
	if err != nil {
		c.t.Fatal(err)
	}
	c.upload("cpu.pprof", cpu, "Anything else")
	c.say("skip", "Please check the ticket")
}

// symptomThenKill starts the standard intake up to the symptom question,
// sends the symptom and calls kill while setbot handles it (most of the
// time); it returns the mark before the answer.
func (c *chatter) symptomThenKill(kill func()) mmtest.Mark {
	c.t.Helper()
	c.startIntake()
	c.say("ok", "What exactly is affected")
	mark := c.p.Mark()
	if _, err := c.p.DM(c.ctx, "server: GET /api/v4/users/me takes 20 s"); err != nil {
		c.t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // land the kill inside the handling, most of the time
	kill()
	return mark
}

// answerAfterCustomer answers the questions after the customer's up to
// the review: L3, a config, a small log and a CPU profile.
func (c *chatter) answerAfterCustomer() {
	c.t.Helper()
	c.say("nobody can post during business hours; no workaround", "bug, a feature request")
	c.say("bug", "Which priority")
	c.say("L3", "config.json")
	c.upload("config.json", mmtest.ConfigJSON(), "redacted")
	c.upload("mattermost.log", artifactstest.JSONLog(50), "Any more")
	c.say("done", "CPU profile")
	c.answerProfile()
}

// confirm confirms the review and waits for the ticket's link in the DM; it
// returns the key.
func (c *chatter) confirm() string {
	c.t.Helper()
	post := c.send("confirm", "Filed [SET-", 60*time.Second)
	i := strings.Index(post.Message, "[SET-")
	key, _, _ := strings.Cut(post.Message[i+1:], "]")
	return key
}

// ask posts "@setbot text" in ~sustained-engineering as p and returns
// setbot's answer in its thread containing want.
func ask(t *testing.T, w *mmtest.World, p *mmtest.Person, text, want string) *model.Post {
	t.Helper()
	ctx := context.Background()
	mark := p.Mark()
	post, err := p.Post(ctx, w.SET.Id, "", "@setbot "+text)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.WaitFor(ctx, mark, mmtest.Containing(p.FromBot(w.SET.Id, post.Id), want), replyTimeout)
	if err != nil {
		t.Fatalf("%q: %v\nrecent: %s", text, err, p.Recent(5))
	}
	return got
}
