package dispatch

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// bigMemoryBound is what the fault suite asks of setbot while support
// engineers upload a 200 MiB support packet and five 100 MiB logs at once.
const bigMemoryBound = 150 << 20

// TestBigUploadsAtOnceStayInBoundedMemory runs a 200 MiB support packet
// (a zip of large logs) and five 100 MiB logs, uploaded at once by six
// support engineers in their intake DMs, through the dispatcher's own
// path: download to a temporary file, check within the budget, keep the
// results as blob files. It samples the Go heap (objects, free spans
// held, stacks) every few milliseconds and reads the process's peak RSS
// (VmHWM, reset before the uploads), and asserts both stay under
// bigMemoryBound. It asserts nothing about time.
//
// It writes about 3 GB to the temporary directory and takes a minute or
// more, so it runs only when asked:
//
//	SETBOT_BIG=1 go test -run TestBigUploadsAtOnce -v -timeout 30m ./dispatch/
func TestBigUploadsAtOnceStayInBoundedMemory(t *testing.T) {
	if os.Getenv("SETBOT_BIG") == "" {
		t.Skip("set SETBOT_BIG=1 to check a 200 MiB support packet and five 100 MiB logs at once")
	}
	dir := t.TempDir()
	files := map[setbot.FileID]setbot.File{"packet": bigFile(t, filepath.Join(dir, "packet.zip"), "mattermost_support_packet.zip", writeBigPacket, 200<<20)}
	for i := range 5 {
		id := setbot.FileID(fmt.Sprintf("log%d", i))
		files[id] = bigFile(t, filepath.Join(dir, string(id)), "mattermost.log", func(w io.Writer, size int64) error { return writeBigLog(w, size, false) }, 100<<20)
	}
	r := newTicketRig(t)
	r.chat.downloads, r.chat.files = r.db.TempDir(), files
	users := map[string]setbot.FileID{"sam": "packet"}
	for i := range 5 {
		users[fmt.Sprintf("eng%d", i)] = setbot.FileID(fmt.Sprintf("log%d", i))
	}
	for user := range users {
		for _, text := range []string{"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 15", "yes", "ok",
			"server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in", "bug", "L2"} {
			r.dmFrom(user, text)
		}
	}

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(t)
	before := heapNow()
	stop := make(chan struct{})
	peakHeap := sampleHeap(stop)
	var wg sync.WaitGroup
	for user, id := range users {
		wg.Go(func() { r.dmFrom(user, "", id) })
	}
	wg.Wait()
	close(stop)
	heap, rss := <-peakHeap, peakRSS(t)

	t.Logf("peak Go heap in use (objects, free spans held, stacks) %.1f MiB (%.1f MiB before the uploads); peak RSS %.1f MiB",
		mib(heap), mib(before), mib(rss))
	if heap >= bigMemoryBound {
		t.Errorf("peak heap %.1f MiB, want under %.0f MiB", mib(heap), mib(bigMemoryBound))
	}
	if raceEnabled {
		t.Log("built with -race: RSS holds the race detector's shadow memory, so only the heap is held to the bound")
	} else if rss >= bigMemoryBound {
		t.Errorf("peak RSS %.1f MiB, want under %.0f MiB", mib(rss), mib(bigMemoryBound))
	}
	r.drain(t) // the replies, for a failure's message
	assertBigUploadsKept(t, r, users)
}

// assertBigUploadsKept checks that every upload was taken, masked, and
// kept as blob files, and that no temporary file is left.
func assertBigUploadsKept(t *testing.T, r *ticketRig, users map[string]setbot.FileID) {
	t.Helper()
	for user := range users {
		var s conversations.State
		if err := readConversation(r, user, &s); err != nil {
			t.Fatal(err)
		}
		logs := s.Intake.Logs
		if len(logs) == 0 {
			t.Errorf("%s: no log taken (phase %s); setbot said: %s", user, s.Phase, lastSaid(r, user))
			continue
		}
		for _, a := range logs {
			c, ok, err := r.db.Blob(a.BlobKey)
			if a.BlobKey == "" || err != nil || !ok || c.Path == "" {
				t.Errorf("%s: %s is not kept as a masked blob file (%q, %v, %v)", user, a.Name, a.BlobKey, ok, err)
			}
		}
		t.Logf("%s: %d log(s) kept, e.g. %s: %s", user, len(logs), logs[0].Name, logs[0].Note)
	}
	assertNoFiles(t, r.db.TempDir())
}

// lastSaid is the last DM setbot sent user.
func lastSaid(r *ticketRig, user string) string {
	said := ""
	for _, p := range r.chat.take() {
		if p.To == setbot.UserID("u-"+user) || p.ChannelID == setbot.ChannelID("dm-"+user) {
			said = p.Text
		}
	}
	return said
}

func readConversation(r *ticketRig, user string, s *conversations.State) error {
	var raw []byte
	if err := r.db.Update(r.now, func(tx *store.Tx) error { raw = tx.Conversation(setbot.UserID("u-" + user)); return nil }); err != nil {
		return err
	}
	return json.Unmarshal(raw, s)
}

// dmFrom handles a DM from user to setbot.
func (r *ticketRig) dmFrom(user, text string, files ...setbot.FileID) {
	id := setbot.PostID(fmt.Sprintf("big-%d", bigSeq.Add(1)))
	r.d.handle(context.Background(), setbot.Message{ID: id, ChannelID: setbot.ChannelID("dm-" + user), Kind: setbot.ChannelDM,
		UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: text, FileIDs: files, At: r.now})
}

var bigSeq atomic.Int64

// bigFile writes a file of about size bytes with write, streaming.
func bigFile(t *testing.T, path, name string, write func(w io.Writer, size int64) error, size int64) setbot.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw, size); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return setbot.File{ID: setbot.FileID(filepath.Base(path)), Name: name, Size: st.Size(), Content: setbot.Content{Path: path, Size: st.Size()}}
}

// writeBigLog writes size bytes of Mattermost JSON log lines, with a
// database password every 500 lines for masking to find. With noise, each
// line carries 192 random bytes (base64), so that it deflates only about
// twofold.
func writeBigLog(w io.Writer, size int64, noise bool) error {
	rng := rand.New(rand.NewPCG(uint64(size), 7))
	var id [208]byte
	var n int64
	for i := 0; n < size; i++ {
		for j := 0; j < len(id); j += 8 {
			binary.LittleEndian.PutUint64(id[j:], rng.Uint64())
		}
		payload := ""
		if noise {
			payload = `,"props":"` + base64.StdEncoding.EncodeToString(id[16:]) + `"`
		}
		line := fmt.Sprintf(`{"timestamp":"2026-03-02 10:%02d:%02d.%03d Z","level":"info","msg":"Request completed","caller":"web/handlers.go:187","request_id":"%s","user_id":"%x","path":"/api/v4/users/me","duration":%d%s}`+"\n",
			i/60000%60, i/1000%60, i%1000, hex.EncodeToString(id[:13]), rng.Uint64(), rng.IntN(5000), payload)
		if i%500 == 0 {
			line = fmt.Sprintf(`{"timestamp":"2026-03-02 10:00:00.000 Z","level":"error","msg":"db ping failed","dsn":"postgres://mmuser:%s-%d@db:5432/mattermost"}`+"\n", artifactstest.SecretMark, i)
		}
		k, err := io.WriteString(w, line)
		if err != nil {
			return err
		}
		n += int64(k)
	}
	return nil
}

// writeBigPacket writes a support packet of about size bytes: metadata,
// diagnostics, a configuration, and node logs of 100 MiB each (deflated,
// about twofold) until the packet is that large. Unpacked it stays within
// MaxUnpackedBytes, so it is checked through, not refused as a bomb.
func writeBigPacket(w io.Writer, size int64) error {
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	for _, e := range []artifactstest.Entry{{Name: "metadata.yaml", Data: []byte(artifactstest.MetadataYAML)},
		{Name: "diagnostics.yaml", Data: []byte(artifactstest.DiagnosticsYAML)}, {Name: "sanitized_config.json", Data: []byte(artifactstest.SmallConfig)}} {
		f, err := zw.Create(e.Name)
		if err != nil {
			return err
		}
		f.Write(e.Data)
	}
	for node := 1; cw.n < size; node++ {
		f, err := zw.Create(fmt.Sprintf("node%d/mattermost.log", node))
		if err != nil {
			return err
		}
		if err := writeBigLog(&stopAt{w: f, cw: cw, at: size}, 100<<20, true); err != nil && err != errEnough {
			return err
		}
	}
	return zw.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// stopAt ends a member once the packet has reached its size.
type stopAt struct {
	w  io.Writer
	cw *countingWriter
	at int64
}

var errEnough = fmt.Errorf("packet large enough")

func (s *stopAt) Write(p []byte) (int, error) {
	if s.cw.n >= s.at {
		return 0, errEnough
	}
	return s.w.Write(p)
}

// heapNow is the Go heap in use: live and dead objects, the free spans it
// holds (HeapInuse), and goroutine stacks (StackInuse).
func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	var n uint64
	for _, v := range s {
		n += v.Value.Uint64()
	}
	return n
}

// sampleHeap samples heapNow every 2 ms until stop is closed, then sends
// the largest value seen.
func sampleHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, heapNow())
			select {
			case <-stop:
				out <- max(peak, heapNow())
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// resetPeakRSS resets the process's VmHWM to its current RSS (Linux:
// "5" to /proc/self/clear_refs).
func resetPeakRSS(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS (%v); it includes setting up", err)
	}
}

// peakRSS is the process's peak resident set (VmHWM).
func peakRSS(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
