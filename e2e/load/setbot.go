package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// readyWithin is how long setbot may take to connect; the e2e suite allows
// the same.
const readyWithin = 30 * time.Second

// process is setbot running as its own process, so that the RSS and CPU
// time its /metrics report are its own and not the load tool's.
type process struct {
	cmd     *exec.Cmd
	addr    string // host:port of its HTTP server
	logPath string
	done    chan struct{}
	jira    *httptest.Server
}

// build compiles setbot into dir and returns the binary's path.
func build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "setbot")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/setbot/setbot/cmd/setbot").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build setbot: %w\n%s", err, out)
	}
	return bin, nil
}

// start serves a fake Jira on loopback, writes setbot's config into dir
// (a fresh store each run) and runs bin until /readyz answers 200.
func start(ctx context.Context, bin, dir string, w *mmtest.World) (*process, error) {
	// The contract check is off: it costs the load tool CPU on every
	// request and the e2e suite already checks the exchanges.
	fake, _ := jiratest.NewServer(jiratest.Options{NoContract: true, Users: []jiratest.User{
		{AccountID: "acc-alice", Email: "alice@example.com", Display: "Alice"},
		{AccountID: "acc-bob", Email: "bob@example.com", Display: "Bob"},
	}})
	jira := httptest.NewServer(fake)
	fake.SetURL(jira.URL)
	addr, err := freeAddr()
	if err != nil {
		jira.Close()
		return nil, err
	}
	monday := time.Now().UTC()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	// As the e2e rig's config (cmd/setbot/e2e_rig_test.go newRig), with
	// info logging as in production: debug logs would be part of the cost.
	cfg := fmt.Sprintf(`
[mattermost]
url = %q
token = %q
team = %q

[http]
listen = %q
public_url = %q

[store]
path = %q

[log]
level = "info"
format = "json"

[reports]
start = ""
handover = ""

[stale]
digest = ""

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
`, w.URL, w.BotToken, mmtest.TeamName, addr, "http://"+addr, filepath.Join(dir, "setbot.db"),
		monday.Format("2006-01-02"), jira.URL)
	cfgPath := filepath.Join(dir, "setbot.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		jira.Close()
		return nil, err
	}
	logPath := filepath.Join(dir, "setbot.log")
	logs, err := os.Create(logPath)
	if err != nil {
		jira.Close()
		return nil, err
	}
	p := &process{cmd: exec.Command(bin, "-config", cfgPath), addr: addr, logPath: logPath, done: make(chan struct{}), jira: jira}
	p.cmd.Stdout, p.cmd.Stderr = logs, logs
	if err := p.cmd.Start(); err != nil {
		logs.Close()
		jira.Close()
		return nil, fmt.Errorf("start setbot: %w", err)
	}
	go func() { _ = p.cmd.Wait(); logs.Close(); close(p.done) }()
	deadline := time.Now().Add(readyWithin)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			p.stop()
			return nil, fmt.Errorf("setbot exited during start-up; its log:\n%s", p.tail(20))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.stop()
	return nil, fmt.Errorf("setbot was not ready within %s; its log:\n%s", readyWithin, p.tail(20))
}

// stop ends setbot with SIGTERM (SIGKILL after 10 s) and the fake Jira.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.jira.Close()
}

// tail is the last n lines of setbot's log.
func (p *process) tail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// sample is what /metrics says about the process.
type sample struct {
	RSS     float64 // process_resident_memory_bytes
	CPU     float64 // process_cpu_seconds_total
	Handled float64 // setbot_posts_handled_total, all kinds
}

// scrape reads setbot's /metrics.
func (p *process) scrape(ctx context.Context) (sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/metrics", nil)
	if err != nil {
		return sample{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return sample{}, fmt.Errorf("GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return sample{}, fmt.Errorf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics picks the samples it needs out of the text exposition format.
func parseMetrics(r io.Reader) (sample, error) {
	var s sample
	var rss, cpu bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		name, _, _ := strings.Cut(line[:i], "{")
		switch name {
		case "process_resident_memory_bytes":
			s.RSS, rss = v, true
		case "process_cpu_seconds_total":
			s.CPU, cpu = v, true
		case "setbot_posts_handled_total":
			s.Handled += v
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if !rss || !cpu {
		return s, errors.New("/metrics has no process_resident_memory_bytes or process_cpu_seconds_total (not on Linux?)")
	}
	return s, nil
}

// freeAddr is a loopback address nobody listens on just now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
