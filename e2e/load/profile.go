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
