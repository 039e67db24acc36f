//go:build e2e

package main

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// process is setbot run as its built binary, so that it can be killed.
type process struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// buildBinary builds setbot once per test into dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "setbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// spawn runs the binary with cfg and waits until /readyz answers 200.
func spawn(t *testing.T, bin, cfg string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "-config", cfg), logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(syscall.SIGTERM)
		if strings.Contains(p.logs.String(), world.BotToken) {
			t.Errorf("the bot token appears in setbot's logs")
		}
		if t.Failed() {
			t.Logf("setbot (pid %d) logs:\n%s", p.cmd.Process.Pid, lastLines(p.logs.String(), 40))
		}
	})
	ready := "http://" + listenAddr(t, cfg) + "/readyz"
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("setbot exited during start-up:\n%s", p.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("setbot was not ready within 30s:\n%s", p.logs)
	return nil
}

// kill sends sig and waits for the process to end.
func (p *process) kill(sig syscall.Signal) {
	_ = p.cmd.Process.Signal(sig)
	<-p.done
}

func listenAddr(t *testing.T, cfg string) string {
	m := regexp.MustCompile(`listen = "([^"]+)"`).FindStringSubmatch(readFile(t, cfg))
	if m == nil {
		t.Fatal("config has no listen address")
	}
	return m[1]
}

// TestE2EIntakeSurvivesKill: setbot killed with SIGKILL right after an
// answer arrives (the answer may be half handled) resumes after a restart:
// the answer is taken exactly once, nothing collected is lost, and
// confirming files exactly one ticket.
func TestE2EIntakeSurvivesKill(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	bin := buildBinary(t)
	proc := spawn(t, bin, r.cfg)
	c := newChatter(t, w, "support2")
	mark := c.symptomThenKill(func() { proc.kill(syscall.SIGKILL) })
	proc = spawn(t, bin, r.cfg)
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "Which customer"), replyTimeout); err != nil {
		t.Fatalf("the answer sent as setbot was killed was lost: %v", err)
	}
	c.say("Acme Corp, about 2,000 of 5,000 users", "What can those users not do")
	settle(t, w, listenAddr(t, r.cfg), c.p, time.Now())
	if n := len(c.p.Matching(mark, mmtest.Containing(c.fromBot, "Which customer"))); n != 1 {
		t.Errorf("the question after the kill was asked %d times, want once:\n%s", n, c.p.Recent(8))
	}
	c.answerAfterCustomer()

	// Killed again right after the confirmation: still exactly one ticket.
	mark = c.p.Mark()
	if _, err := c.p.DM(c.ctx, "confirm"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	proc.kill(syscall.SIGKILL)
	proc = spawn(t, bin, r.cfg)
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "Filed [SET-"), 60*time.Second); err != nil {
		t.Fatal(err)
	}
	settle(t, w, listenAddr(t, r.cfg), c.p, time.Now()) // a second filing, if there were one, is done
	if n := len(r.fake.Issues()); n != 1 {
		t.Fatalf("Jira has %d issues after a kill at confirmation, want 1", n)
	}
	if n := len(c.p.Matching(mark, mmtest.Containing(c.fromBot, "Filed [SET-"))); n != 1 {
		t.Errorf("the link was sent %d times, want once", n)
	}
	is := r.fake.Issues()[0]
	for _, want := range []string{"GET /api/v4/users/me", "Acme Corp", "10.11.4"} {
		if !strings.Contains(is.Description, want) {
			t.Errorf("an answer was lost across the kills: the description lacks %q", want)
		}
	}
}
