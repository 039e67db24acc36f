//go:build e2e

package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/load"
	"github.com/setbot/setbot/e2e/mmtest"
)

// Sizes of the upload scenario, by the issue that asked for it.
const (
	bigPacket  = 200 << 20
	bigLog     = 100 << 20
	bigLogs    = 5
	rssBound   = 150 << 20
	uploadWait = 5 * time.Minute
)

// TestFaultLargeUploadsAtOnce: one support engineer uploads a 200 MiB
// support packet while five others upload a 100 MiB log each, all at
// once; every upload is checked and answered, and setbot's peak resident
// memory stays under 150 MiB.
func TestFaultLargeUploadsAtOnce(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	ctx := context.Background()
	// Mattermost's default file limit is 100 MB: raise it for the packet.
	if _, _, err := w.Admin.PatchConfig(ctx, &model.Config{FileSettings: model.FileSettings{MaxFileSize: model.NewPointer(int64(300 << 20))}}); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, w, "")
	bin := buildBinary(t)
	proc := spawn(t, bin, r.cfg)
	idle := procStatus(t, proc.cmd.Process.Pid, "VmRSS")

	type upload struct {
		in   *intaker
		name string
		data []byte
		want string
	}
	var ups []upload
	for i := range bigLogs + 1 {
		in, err := newIntaker(ctx, w, fmt.Sprintf("upload%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(in.p.Close)
		steps := in.steps()
		upTo := 8 // through "L3" -> "config.json"
		if i > 0 {
			upTo = 9 // and the config.json: the log is next
		}
		if err := in.runSteps(ctx, steps[:upTo], replyTimeout); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ups = append(ups, upload{in, "support-packet.zip", bigSupportPacket(t), "From the support packet I took"})
		} else {
			ups = append(ups, upload{in, "mattermost.log", bigJSONLog(bigLog), "Any more"})
		}
	}
	// Upload every file to Mattermost first, then post them all at once.
	ids := make([]string, len(ups))
	for i, u := range ups {
		id, err := u.in.p.Upload(ctx, u.in.dm, u.name, u.data)
		if err != nil {
			t.Fatalf("upload %s (%d MiB) to Mattermost: %v", u.name, len(u.data)>>20, err)
		}
		ids[i] = id
	}
	start := time.Now()
	var wg sync.WaitGroup
	took := make([]time.Duration, len(ups))
	for i, u := range ups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mark := u.in.p.Mark()
			if _, err := u.in.p.DM(ctx, "", ids[i]); err != nil {
				t.Error(err)
				return
			}
			if _, err := u.in.p.WaitFor(ctx, mark, mmtest.Containing(u.in.fromBot, u.want), uploadWait); err != nil {
				t.Errorf("%s's %s: %v", u.in.tag, u.name, err)
				return
			}
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
	peak := procStatus(t, proc.cmd.Process.Pid, "VmHWM")
	fig.note("a %d MiB support packet and %d logs of %d MiB at once: all answered within %s", bigPacket>>20, bigLogs, bigLog>>20,
		slicesMax(took).Round(100*time.Millisecond))
	fig.note("setbot's resident memory: %d MiB idle, %d MiB at its peak (bound %d MiB)", idle>>20, peak>>20, rssBound>>20)
	if peak > rssBound {
		t.Errorf("peak RSS %d MiB, want under %d MiB", peak>>20, rssBound>>20)
	}
}

// runSteps is run for some of the steps.
func (in *intaker) runSteps(ctx context.Context, steps []load.Step, within time.Duration) error {
	for i, s := range steps {
		mark := in.p.Mark()
		if err := in.send(ctx, s); err != nil {
			return err
		}
		if _, err := in.p.WaitFor(ctx, mark, mmtest.Containing(in.fromBot, s.Want), within); err != nil {
			return fmt.Errorf("%s step %d: %w", in.tag, i+1, err)
		}
	}
	return nil
}

// procStatus reads a size field (kB) of /proc/<pid>/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func slicesMax(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// bigJSONLog is a JSON-lines server log of about n bytes.
func bigJSONLog(n int) []byte {
	chunk := artifactstest.JSONLog(1000)
	out := bytes.NewBuffer(make([]byte, 0, n+len(chunk)))
	for out.Len()+len(chunk) <= n {
		out.Write(chunk)
	}
	return out.Bytes()
}

// bigSupportPacket is a support packet of about 200 MiB: the usual parts,
// and two nodes' logs of 100 MiB each, stored uncompressed (a packet's
// size is its logs).
func bigSupportPacket(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name   string
		data   []byte
		method uint16
	}{
		{"metadata.yaml", []byte(artifactstest.MetadataYAML), zip.Deflate},
		{"sanitized_config.json", mmtest.ConfigJSON(), zip.Deflate},
		{"mattermost.log", bigJSONLog(bigPacket / 2), zip.Store},
		{"node2/mattermost.log", bigJSONLog(bigPacket/2 - (1 << 20)), zip.Store},
	} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method, Modified: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
