//go:build e2e

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/e2e/pgtest"
)

// takeoverBound is how soon a follower must lead after the leader dies
// (issue 18): it tries for the lease every second, then connects and
// catches up.
const takeoverBound = 10 * time.Second

// replica is one setbot of a pair sharing a PostgreSQL store.
type replica struct {
	name, cfg, addr string
	proc            *process
}

// replicaConfigs writes two configs from the rig's: the postgres store
// in dsn, each its own listen address, and both with B's public URL, so
// that every button click reaches B, leader or follower.
func replicaConfigs(t *testing.T, r *rig, dsn string) (a, b *replica) {
	t.Helper()
	base := readFile(t, r.cfg)
	storeLine := regexp.MustCompile(`(?m)^path = "[^"]*"$`)
	listenLine := regexp.MustCompile(`(?m)^listen = "[^"]*"\npublic_url = "[^"]*"$`)
	a, b = &replica{name: "A", addr: freeAddr(t)}, &replica{name: "B", addr: freeAddr(t)}
	for _, rp := range []*replica{a, b} {
		text := storeLine.ReplaceAllLiteralString(base, fmt.Sprintf("driver = \"postgres\"\ndsn = %q\npath = %q", dsn, t.TempDir()))
		text = listenLine.ReplaceAllLiteralString(text, fmt.Sprintf("listen = %q\npublic_url = %q", rp.addr, "http://"+b.addr))
		if text == base || !strings.Contains(text, rp.addr) {
			t.Fatal("the rig's config has no [store] path or listen line to replace")
		}
		rp.cfg = writeConfig(t, text)
	}
	return a, b
}

// start spawns the replica's binary (it answers /readyz as a follower at
// first) and checks, when it ends, that the store's password never reached
// its logs.
func (rp *replica) start(t *testing.T, bin string) {
	t.Helper()
	rp.proc = spawn(t, bin, rp.cfg)
	logs := rp.proc.logs
	t.Cleanup(func() {
		if strings.Contains(logs.String(), "setbot-pw") {
			t.Errorf("replica %s logged the store's password", rp.name)
		}
	})
}

// waitRole waits until /readyz answers 200 naming role and returns how
// long that took.
func (rp *replica) waitRole(t *testing.T, role string, within time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	for {
		if resp, err := http.Get("http://" + rp.addr + "/readyz"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "ready: "+role) {
				return time.Since(began)
			}
		}
		if time.Since(began) > within {
			t.Fatalf("replica %s was not ready as %s within %s:\n%s", rp.name, role, within, lastLines(rp.proc.logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond) // polling for the event
	}
}

// TestE2EReplicasTakeOver (issue 18): two setbots share a PostgreSQL store
// on the devstack server. A leads, B follows and answers button clicks (a
// click on B stops A's page ladder). A is killed with SIGKILL mid-intake:
// B leads within 10 s, takes the answer exactly once and files one
// ticket. A comes back as a follower; B is killed mid-ladder: A leads
// within 10 s and pages the backup and the lead, each once. B comes back;
// A's lock connection is cut: A stops and B leads.
func TestE2EReplicasTakeOver(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"6s\"\n")
	dsn := pgtest.Schema(t, true)
	a, b := replicaConfigs(t, r, dsn)
	bin := buildBinary(t)
	a.start(t, bin)
	a.waitRole(t, "leader", takeoverBound)
	b.start(t, bin)
	b.waitRole(t, "follower", takeoverBound)
	if m := scrapeAt(t, a.addr); m["setbot_leader"] != 1 {
		t.Errorf("the leader's setbot_leader is %v, want 1", m["setbot_leader"])
	}
	if m := scrapeAt(t, b.addr); m["setbot_leader"] != 0 {
		t.Errorf("the follower's setbot_leader is %v, want 0", m["setbot_leader"])
	}

	clickOnFollowerStopsTheLadder(t, w)
	intakeAcrossAKill(t, w, r, a, b)
	a.start(t, bin)
	a.waitRole(t, "follower", takeoverBound)
	ladderAcrossAKill(t, w, b, a)
	b.start(t, bin)
	b.waitRole(t, "follower", takeoverBound)
	lostLeaseStopsTheLeader(t, dsn, a, b)
}

// lostLeaseStopsTheLeader cuts the leader's lock connection (its backend
// terminated, as a network fault would): the leader stops with exit code
// 1 and says why, and the follower leads.
func lostLeaseStopsTheLeader(t *testing.T, dsn string, leader, follower *replica) {
	t.Helper()
	cut := time.Now()
	pgtest.Exec(t, dsn, fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'setbot lease %d@%%'",
		leader.proc.cmd.Process.Pid))
	select {
	case <-leader.proc.done:
	case <-time.After(takeoverBound + 15*time.Second): // the lease check, then at most the in-flight bound
		t.Fatalf("replica %s still runs after losing its lease:\n%s", leader.name, lastLines(leader.proc.logs.String(), 20))
	}
	stopped := time.Since(cut)
	if code := leader.proc.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(leader.proc.logs.String(), "lost the leader lease") {
		t.Errorf("replica %s ended with exit code %d; want 1 and the reason:\n%s", leader.name, code, lastLines(leader.proc.logs.String(), 10))
	}
	took := follower.waitRole(t, "leader", takeoverBound)
	fmt.Printf("lost lease: replica %s stopped %.1f s after its lock connection was cut; replica %s led %.1f s later\n",
		leader.name, stopped.Seconds(), follower.name, took.Seconds())
}

// clickOnFollowerStopsTheLadder: the primary acknowledges a page with the
// button; the click reaches the follower, which commits it; the leader
// posts the acknowledgement and pages nobody else.
func clickOnFollowerStopsTheLadder(t *testing.T, w *mmtest.World) {
	t.Helper()
	ctx := context.Background()
	sup, alice := person(t, w, "support1"), newPager(t, w, "alice")
	supMark, aliceMark := sup.Mark(), alice.p.Mark()
	text := fmt.Sprintf("login loops (replicas ack %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	dm := alice.waitPaged(t, aliceMark, "primary", text, replyTimeout)
	if err := alice.p.Click(ctx, dm, "Acknowledge"); err != nil {
		t.Fatalf("the follower did not take the click: %v", err)
	}
	if _, err := sup.WaitFor(ctx, supMark, mmtest.Containing(sup.FromBot(w.SET.Id, post.Id), "Acknowledged by @alice"), replyTimeout); err != nil {
		t.Fatal(err)
	}
}

// intakeAcrossAKill kills the leader right after an intake answer
// arrives; the follower leads, the answer is taken once, and confirming
// files exactly one ticket.
func intakeAcrossAKill(t *testing.T, w *mmtest.World, r *rig, leader, follower *replica) {
	t.Helper()
	c := newChatter(t, w, "support2")
	mark := c.symptomThenKill(func() { leader.proc.kill(syscall.SIGKILL) })
	took := follower.waitRole(t, "leader", takeoverBound)
	fmt.Printf("takeover mid-intake: replica %s leads %.1f s after replica %s was killed\n", follower.name, took.Seconds(), leader.name)
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "Which customer"), replyTimeout); err != nil {
		t.Fatalf("the answer sent as the leader was killed was lost: %v", err)
	}
	c.say("Acme Corp, about 2,000 of 5,000 users", "What can those users not do")
	c.answerAfterCustomer()
	c.confirm()
	settle(t, w, follower.addr, c.p, time.Now())
	if n := len(c.p.Matching(mark, mmtest.Containing(c.fromBot, "Which customer"))); n != 1 {
		t.Errorf("the question after the kill was asked %d times, want once:\n%s", n, c.p.Recent(8))
	}
	if n := len(c.p.Matching(mark, mmtest.Containing(c.fromBot, "Filed [SET-"))); n != 1 {
		t.Errorf("the link was sent %d times, want once", n)
	}
	if n := len(r.fake.Issues()); n != 1 {
		t.Fatalf("Jira has %d issues, want 1", n)
	}
	if d := r.fake.Issues()[0].Description; !strings.Contains(d, "GET /api/v4/users/me") || !strings.Contains(d, "Acme Corp") {
		t.Errorf("an answer was lost across the takeover: %q", d)
	}
}

// ladderAcrossAKill kills the leader after it paged the primary; the
// follower leads and pages the backup and then the lead, each once.
func ladderAcrossAKill(t *testing.T, w *mmtest.World, leader, follower *replica) {
	t.Helper()
	ctx := context.Background()
	sup := person(t, w, "support1")
	alice, bob, carol := newPager(t, w, "alice"), newPager(t, w, "bob"), newPager(t, w, "carol")
	supMark, aliceMark, bobMark, carolMark := sup.Mark(), alice.p.Mark(), bob.p.Mark(), carol.p.Mark()
	text := fmt.Sprintf("jobs stuck (replicas ladder %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, aliceMark, "primary", text, replyTimeout)
	leader.proc.kill(syscall.SIGKILL)
	took := follower.waitRole(t, "leader", takeoverBound)
	fmt.Printf("takeover mid-ladder: replica %s leads %.1f s after replica %s was killed\n", follower.name, took.Seconds(), leader.name)
	bob.waitPaged(t, bobMark, "backup", text, replyTimeout)
	carol.waitPaged(t, carolMark, "lead", text, replyTimeout)
	settle(t, w, follower.addr, sup, time.Now().Add(7*time.Second)) // past ack_within after the lead
	if got := steps(sup, supMark, w.SET.Id, post.Id); fmt.Sprint(got) != "map[alice:1 bob:1 carol:1]" {
		t.Errorf("steps in the thread across the takeover: %v, want each person paged once", got)
	}
}
