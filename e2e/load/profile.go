package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// profiler saves the profiles of a profiled setbot (build's profiled
// main, serving on addr) into dir, for `go tool pprof`.
type profiler struct {
	addr, dir string
}

// save fetches /debug/pprof/<query> into dir/name.
func (p profiler) save(ctx context.Context, name, query string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/debug/pprof/"+query, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile %s: %w", query, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("profile %s: %d %s", query, resp.StatusCode, b)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("profile %s: %w", query, err)
	}
	return os.WriteFile(filepath.Join(p.dir, name), b, 0o600)
}

// cpuSlice is the length of one CPU profile: a run is profiled in slices
// because its length is not known in advance; pprof merges them
// (go tool pprof setbot cpu-*.pb.gz).
const cpuSlice = 2 * time.Second

// cpu profiles setbot in slices until the returned stop is called, which
// waits for the slice under way to be cut short and dropped.
func (p profiler) cpu(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1; ctx.Err() == nil; i++ {
			_ = p.save(ctx, fmt.Sprintf("cpu-%03d.pb.gz", i), fmt.Sprintf("profile?seconds=%d", int(cpuSlice/time.Second)))
		}
	})
	return func() { cancel(); wg.Wait() }
}

// bench is what every measurement starts from: the server's world with
// setbot's own bot account, a scratch directory (remove it with close),
// the setbot binary (bin, or one built from this module; a profiled one
// when profiles is set), and, when profiling, the profiler and the
// environment that turns setbot's /debug/pprof on.
type bench struct {
	w    *mmtest.World
	dir  string
	bin  string
	env  []string
	prof profiler
}

func newBench(ctx context.Context, url, bin, profiles string) (*bench, error) {
	w, err := mmtest.Bootstrap(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bootstrap %s: %w", url, err)
	}
	if err := ownBot(ctx, w); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "setbot-load-")
	if err != nil {
		return nil, err
	}
	b := &bench{w: w, dir: dir, bin: bin}
	if bin == "" || profiles != "" {
		progress("building setbot")
		if b.bin, err = build(ctx, dir, profiles != ""); err != nil {
			b.close()
			return nil, err
		}
	}
	if profiles != "" {
		if b.prof.addr, err = freeAddr(); err != nil {
			b.close()
			return nil, err
		}
		b.prof.dir = profiles
		b.env = append(b.env, EnvPprof+"="+b.prof.addr)
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

func (b *bench) close() { os.RemoveAll(b.dir) }

// progress tells the person running the tool what it is doing.
func progress(format string, a ...any) { fmt.Fprintf(os.Stderr, "setbot-load: "+format+"\n", a...) }
