//go:build e2e

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// replyTimeout bounds how long a test waits for the bot's answer.
const replyTimeout = 20 * time.Second

var (
	worldOnce sync.Once
	world     *mmtest.World
	worldErr  error
)

// theWorld bootstraps the real server once per test binary.
func theWorld(t *testing.T) *mmtest.World {
	t.Helper()
	worldOnce.Do(func() {
		url, err := mmtest.URLFromEnv()
		if err != nil {
			worldErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		world, worldErr = mmtest.Bootstrap(ctx, url)
	})
	if worldErr != nil {
		t.Fatalf("bootstrap the Mattermost server: %v", worldErr)
	}
	return world
}

// running is setbot started in-process.
type running struct {
	main   *Main
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
	once   sync.Once
}

// syncBuffer collects logs for failure output.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// botConfig writes a configuration for the world into dir.
func botConfig(t *testing.T, w *mmtest.World, dir string, extra string) string {
	t.Helper()
	if !strings.Contains(extra, "[reports]") {
		// The weekly reports are off unless a test turns them on: a report
		// posted at its time would land in other tests' channel.
		extra += "\n[reports]\nstart = \"\"\nhandover = \"\"\n"
	}
	if !strings.Contains(extra, "[stale]") {
		// Likewise the daily stale-ticket digest.
		extra += "\n[stale]\ndigest = \"\"\n"
	}
	text := fmt.Sprintf(`
[mattermost]
url = %q
token = %q
team = %q

[http]
listen = "127.0.0.1:0"

[store]
path = %q

[log]
level = "debug"
format = "json"
%s`, w.URL, w.BotToken, mmtest.TeamName, filepath.Join(dir, "setbot.db"), extra)
	p := filepath.Join(dir, "setbot.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs setbot in-process with the config at path and waits until it is
// connected.
func start(t *testing.T, path string) *running {
	t.Helper()
	return startWith(t, path, nil)
}

// startWith is start with tune, when not nil, applied to the Main first.
func startWith(t *testing.T, path string, tune func(*Main)) *running {
	t.Helper()
	logs := &syncBuffer{}
	m := NewMain(logs)
	m.ConfigPath = path
	if tune != nil {
		tune(m)
	}
	m.Ready = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{main: m, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- m.Run(ctx) }()
	select {
	case <-m.Ready:
	case err := <-r.done:
		t.Fatalf("setbot stopped during start-up: %v\nlogs:\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("setbot did not connect within 30s\nlogs:\n%s", logs)
	}
	t.Cleanup(func() {
		r.stop(t)
		if strings.Contains(logs.String(), world.BotToken) {
			t.Errorf("the bot token appears in setbot's logs")
		}
		if t.Failed() {
			t.Logf("setbot logs:\n%s", lastLines(logs.String(), 60))
		}
	})
	return r
}

// stop ends setbot and waits for it (idempotent).
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("setbot exited with an error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("setbot did not stop within 30s")
		}
	})
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func person(t *testing.T, w *mmtest.World, name string) *mmtest.Person {
	t.Helper()
	p, err := w.Person(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestE2EMentionIsAnsweredInThread(t *testing.T) {
	w := theWorld(t)
	start(t, botConfig(t, w, t.TempDir(), ""))
	ctx := context.Background()
	p := person(t, w, "support1")
	mark := p.Mark()
	post, err := p.Post(ctx, w.SET.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := p.WaitFor(ctx, mark, p.FromBot(w.SET.Id, post.Id), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply.Message, "@setbot help") {
		t.Errorf("help reply does not list the commands: %q", reply.Message)
	}
}

func TestE2EDirectMessageIsAnswered(t *testing.T) {
	w := theWorld(t)
	start(t, botConfig(t, w, t.TempDir(), ""))
	ctx := context.Background()
	p := person(t, w, "support2")
	ch, err := p.DMChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mark := p.Mark()
	if _, err := p.DM(ctx, "help"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, mmtest.Containing(p.FromBot(ch, ""), "direct messages"), replyTimeout); err != nil {
		t.Fatal(err)
	}
}

func TestE2EBotsAreIgnored(t *testing.T) {
	w := theWorld(t)
	start(t, botConfig(t, w, t.TempDir(), ""))
	ctx := context.Background()
	p := person(t, w, "alice")
	other, err := w.BotClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	mark := p.Mark()
	botPost, err := other.Post(ctx, w.SET.Id, "", "@setbot help (from another bot)")
	if err != nil {
		t.Fatal(err)
	}
	// A person's mention after the bot's: once it is answered, the bot's
	// post has been seen too (both arrive on the same websocket, in order).
	human, err := p.Post(ctx, w.SET.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := p.WaitFor(ctx, mark, p.FromBot(w.SET.Id, human.Id), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	// setbot's own reply mentions "@setbot help" too: it must not answer it.
	time.Sleep(2 * time.Second) // a quiet period, to see that nothing more comes
	if got := p.Matching(mark, p.FromBot(w.SET.Id, botPost.Id)); len(got) != 0 {
		t.Errorf("setbot answered another bot's post: %q", got[0].Message)
	}
	if got := p.Matching(mark, p.FromBot(w.SET.Id, reply.Id)); len(got) != 0 {
		t.Errorf("setbot answered its own post")
	}
	if got := p.Matching(mark, p.FromBot(w.SET.Id, "")); len(got) != 1 {
		t.Errorf("setbot posted %d times, want exactly one answer", len(got))
	}
}

func TestE2EMissedWhileDownIsAnsweredOnceAfterRestart(t *testing.T) {
	w := theWorld(t)
	cfg := botConfig(t, w, t.TempDir(), "")
	bot := start(t, cfg)
	c := newChatter(t, w, "bob")
	c.say("help", "")
	bot.stop(t)
	mark := c.p.Mark()
	if _, err := c.p.DM(c.ctx, "commands"); err != nil {
		t.Fatal(err)
	}
	start(t, cfg)
	if _, err := c.p.WaitFor(c.ctx, mark, c.fromBot, replyTimeout); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // a quiet period, to see that nothing more comes
	if got := c.p.Matching(mark, c.fromBot); len(got) != 1 {
		t.Errorf("after a restart setbot answered %d times, want once (the missed DM only)", len(got))
	}
}

// TestE2EServerRestart restarts the Mattermost server itself; it needs the
// command that does that in SETBOT_E2E_RESTART (devstack/stack restart).
func TestE2EServerRestart(t *testing.T) {
	restart := os.Getenv("SETBOT_E2E_RESTART")
	if restart == "" {
		t.Fatal("SETBOT_E2E_RESTART is not set: it names the command that restarts the Mattermost server (devstack/stack restart)")
	}
	w := theWorld(t)
	bot := start(t, botConfig(t, w, t.TempDir(), ""))
	c := newChatter(t, w, "carol")
	c.say("help", "")
	c.p.Close()
	restartMattermost(t, restart)
	waitReady(t, bot, 60*time.Second)
	c = newChatter(t, w, "carol") // the old websocket went down with the server
	mark := c.p.Mark()
	c.say("commands", "")
	bot.settle(t, w, c.p) // every pass and job after the answer is done: nothing more comes
	if got := c.p.Matching(mark, c.fromBot); len(got) != 1 {
		t.Errorf("after the server restart setbot answered %d times, want exactly once", len(got))
	}
}

// restartMattermost runs command (SETBOT_E2E_RESTART), which restarts the
// Mattermost server, and fails the test with its output if it fails.
func restartMattermost(t *testing.T, command string) {
	t.Helper()
	// The output goes to a file, not a pipe: the restarted server inherits
	// the descriptors, and a pipe would stay open as long as it runs.
	out, err := os.CreateTemp(t.TempDir(), "restart")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", command)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("restart Mattermost: %v\n%s", err, b)
	}
}

// waitReady polls setbot's /readyz until it answers 200 (the websocket is
// back) or the time is up.
func waitReady(t *testing.T, r *running, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + r.main.Addr + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = string(b)
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("setbot not ready %s after the restart: %s\nlogs:\n%s", within, last, lastLines(r.logs.String(), 40))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
