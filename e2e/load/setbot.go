package load

import (
	"bufio"
	"context"
	"encoding/json"
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
	// healthy and ready are how long after the process started /healthz
	// and /readyz first answered 200 (to within startPoll).
	healthy, ready time.Duration
}

// startPoll is how often start asks /healthz and /readyz: often enough to
// time a start-up of a few hundred ms to within a few per cent.
const startPoll = 5 * time.Millisecond

// build compiles setbot into dir and returns the binary's path. A
// profiled build adds profiledMain to package main through a build overlay
// (the source tree is not touched): that setbot serves net/http/pprof on
// $SETBOT_PPROF_ADDR, with the block and mutex profiles on.
func build(ctx context.Context, dir string, profiled bool) (string, error) {
	bin := filepath.Join(dir, "setbot")
	args := []string{"build", "-o", bin}
	if profiled {
		overlay, err := writeOverlay(ctx, dir)
		if err != nil {
			return "", err
		}
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "github.com/setbot/setbot/cmd/setbot")
	out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build setbot: %w\n%s", err, out)
	}
	return bin, nil
}

// EnvPprof names the address a profiled setbot serves /debug/pprof on.
const EnvPprof = "SETBOT_PPROF_ADDR"

// profiledMain is the file a profiled build adds to cmd/setbot. The block
// profile records every blocking event of 10 µs or more, on average, and
// the mutex profile one contention in 5: enough to see the tail of a
// 10 ms reply, cheap enough not to make one.
const profiledMain = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("` + EnvPprof + `")
	if addr == "" {
		return
	}
	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(5)
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
`

// writeOverlay writes profiledMain and a build overlay that adds it to
// cmd/setbot, and returns the overlay's path.
func writeOverlay(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "github.com/setbot/setbot/cmd/setbot").Output()
	if err != nil {
		return "", fmt.Errorf("go list cmd/setbot: %w", err)
	}
	src := filepath.Join(dir, "zz_load_pprof.go")
	if err := os.WriteFile(src, []byte(profiledMain), 0o600); err != nil {
		return "", err
	}
	dest := filepath.Join(strings.TrimSpace(string(out)), "zz_load_pprof.go")
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {dest: src}})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o600)
}

// start serves a fake Jira on loopback, writes setbot's config into dir
// (its store is dir/setbot.db: fresh, or seeded by SeedStore) and runs
// bin with env added to its environment until /readyz answers 200.
func start(ctx context.Context, bin, dir string, w *mmtest.World, env ...string) (*process, error) {
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
	p.cmd.Env = append(os.Environ(), env...)
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		logs.Close()
		jira.Close()
		return nil, fmt.Errorf("start setbot: %w", err)
	}
	go func() { _ = p.cmd.Wait(); logs.Close(); close(p.done) }()
	ok := func(path string) bool {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	deadline := began.Add(readyWithin)
	for time.Now().Before(deadline) {
		if p.healthy == 0 && ok("/healthz") {
			p.healthy = time.Since(began)
		}
		if p.healthy != 0 && ok("/readyz") {
			p.ready = time.Since(began)
			return p, nil
		}
		select {
		case <-p.done:
			p.stop()
			return nil, fmt.Errorf("setbot exited during start-up; its log:\n%s", p.tail(20))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(startPoll):
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
	Heap    float64 // go_memstats_heap_inuse_bytes: spans in use by the heap
	GoSys   float64 // go_memstats_sys_bytes: all the Go runtime got from the OS
	// PostSeconds and Posts are the sum and count of the chat lane's post
	// jobs' durations (setbot_job_duration_seconds{kind="post"}): one
	// CreatePost round trip each, as setbot saw it.
	PostSeconds, Posts float64
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
		name, labels, _ := strings.Cut(line[:i], "{")
		if labels == `kind="post"}` {
			switch name {
			case "setbot_job_duration_seconds_sum":
				s.PostSeconds = v
			case "setbot_job_duration_seconds_count":
				s.Posts = v
			}
		}
		switch name {
		case "process_resident_memory_bytes":
			s.RSS, rss = v, true
		case "process_cpu_seconds_total":
			s.CPU, cpu = v, true
		case "setbot_posts_handled_total":
			s.Handled += v
		case "go_memstats_heap_inuse_bytes":
			s.Heap = v
		case "go_memstats_sys_bytes":
			s.GoSys = v
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

// residentKiB reads the process's resident memory by kind from
// /proc/<pid>/status: anonymous (the Go heap, stacks and runtime), and
// file-backed (the binary's pages, and the store's memory map as far as it
// was read).
func residentKiB(pid int) (anon, file int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch name {
		case "RssAnon":
			anon = n
		case "RssFile":
			file = n
		}
	}
	return anon, file, sc.Err()
}
