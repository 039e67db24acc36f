// Package artifactstest makes real artifacts for tests: pprof profiles and
// goroutine dumps from runtime/pprof, logs, support packets, and the wrong
// files setbot must refuse (a PNG named cpu.pprof, a truncated gzip, a zip
// bomb).
package artifactstest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/setbot/setbot"
)

var (
	cpuOnce sync.Once
	cpuProf []byte
	cpuErr  error
)

// CPUProfile returns a real CPU profile (gzip-compressed protobuf, as
// runtime/pprof writes it) of a short busy loop. It is made once per process.
func CPUProfile() ([]byte, error) {
	cpuOnce.Do(func() {
		var b bytes.Buffer
		if cpuErr = pprof.StartCPUProfile(&b); cpuErr != nil {
			return
		}
		spin(150 * time.Millisecond)
		pprof.StopCPUProfile()
		cpuProf = b.Bytes()
	})
	return cpuProf, cpuErr
}

var sink uint64

func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := range 10000 {
			sink += uint64(i * i)
		}
	}
}

// Profile returns runtime/pprof's named profile ("heap", "allocs",
// "goroutine", "block", "mutex", "threadcreate") written with debug.
func Profile(name string, debug int) []byte {
	var b bytes.Buffer
	if name == "heap" || name == "allocs" {
		runtime.GC()
	}
	if err := pprof.Lookup(name).WriteTo(&b, debug); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// HeapProfile is a real heap profile.
func HeapProfile() []byte { return Profile("heap", 0) }

// GoroutineDump is a real goroutine dump (goroutine?debug=2), taken while a
// few goroutines wait on a channel.
func GoroutineDump() []byte {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); <-stop }()
	}
	time.Sleep(10 * time.Millisecond)
	b := Profile("goroutine", 2)
	close(stop)
	wg.Wait()
	return b
}

// PNG is a small real PNG image.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JSONLog is n lines of a Mattermost JSON log.
func JSONLog(n int) []byte {
	var b bytes.Buffer
	t := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, `{"timestamp":"%s","level":"info","msg":"Request completed","caller":"web/handlers.go:187","path":"/api/v4/users/me","duration":%d}`+"\n",
			t.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05.000 Z07:00"), i%100)
	}
	return b.Bytes()
}

// PlainLog is n lines of Mattermost's console log format.
func PlainLog(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "info  [2026-03-02 10:00:%02d.000 Z] Request completed caller=\"web/handlers.go:187\" path=/api/v4/users/me\n", i%60)
	}
	return b.Bytes()
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// TruncatedGzip is a gzip-compressed log cut off halfway.
func TruncatedGzip() []byte {
	g := Gzip(JSONLog(2000))
	return g[:len(g)/2]
}

// Entry is one file in a zip.
type Entry struct {
	Name string
	Data []byte
}

// Zip packs entries.
func Zip(entries ...Entry) []byte {
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, e := range entries {
		f, err := w.Create(e.Name)
		if err != nil {
			panic(err)
		}
		f.Write(e.Data)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return out.Bytes()
}

// ZipBomb is a zip whose one entry is 100 MiB of zeros packed into about
// 100 KiB: a ratio no log has.
func ZipBomb() []byte {
	return Zip(Entry{"mattermost.log", make([]byte, 100<<20)})
}

// DiagnosticsYAML is a diagnostics.yaml as Mattermost v10+ writes it into a
// support packet (model.SupportPacketDiagnostics).
const DiagnosticsYAML = `version: 2
license:
  company: Acme Corp
  users: 5000
  sku_short_name: enterprise
server:
  os: linux
  architecture: amd64
  hostname: mm-app-1
  cpu_cores: 8
  total_memory_mb: 32000
  version: 10.11.4
  build_hash: 5f3e8b2
  installation_type: docker
config:
  store_type: database
database:
  type: postgres
  version: "15.4 (Debian 15.4-1.pgdg120+1)"
  schema_version: "147"
  master_connections: 20
websocket:
  connections: 1234
`

// MetadataYAML is the metadata.yaml of a support packet
// (model.PacketMetadata, version 1).
const MetadataYAML = `version: 1
type: support-packet
generated_at: 1772445600000
server_version: 10.11.4
server_id: 8fqk9rkx1jf4pkkjpcfbbi6w1h
license_id: 9x7nsqgq3ifb5kwtfbfgdqe1ar
customer_id: acmecorp
`

// SupportPacket is a support packet laid out as Mattermost writes one, with
// config as its sanitized_config.json.
func SupportPacket(config []byte) ([]byte, error) { return SupportPacketWith(config) }

// SupportPacketWith is SupportPacket with more entries.
func SupportPacketWith(config []byte, more ...Entry) ([]byte, error) {
	cpu, err := CPUProfile()
	if err != nil {
		return nil, err
	}
	return Zip(append([]Entry{
		{"metadata.yaml", []byte(MetadataYAML)},
		{"diagnostics.yaml", []byte(DiagnosticsYAML)},
		{"sanitized_config.json", config},
		{"mattermost.log", JSONLog(500)},
		{"notification.log", JSONLog(20)},
		{"plugins.json", []byte(`{"active":[],"inactive":[]}`)},
		{"cpu.prof", cpu},
		{"heap.prof", HeapProfile()},
		{"goroutines", GoroutineDump()},
	}, more...)...), nil
}

// SmallConfig is a config-shaped JSON with secrets, for tests that do not
// load the Mattermost model (bot's tests marshal a real model.Config).
const SmallConfig = `{
  "ServiceSettings": {"SiteURL": "https://chat.example.com", "GiphySdkKey": "giphy-secret"},
  "SqlSettings": {"DriverName": "postgres", "DataSource": "postgres://mmuser:hunter2@db:5432/mattermost?sslmode=disable"},
  "PluginSettings": {"Plugins": {"jira": {"webhooksecret": "s3cr3t", "enabled": true}}}
}`

// Redact stands in for bot.RedactConfig in packages that must not load the
// Mattermost model: a configuration has ServiceSettings and SqlSettings
// objects; string settings whose name contains "secret", "key", "password"
// or "datasource" are replaced at any depth.
func Redact(data []byte) ([]byte, []string, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, errNotConfig
	}
	for _, s := range []string{"ServiceSettings", "SqlSettings"} {
		if _, ok := m[s].(map[string]any); !ok {
			return nil, nil, errNotConfig
		}
	}
	var fields []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, x := range obj {
			p := strings.TrimPrefix(path+"."+k, ".")
			lk := strings.ToLower(k)
			if s, ok := x.(string); ok && s != "" && (strings.Contains(lk, "secret") || strings.Contains(lk, "key") || strings.Contains(lk, "password") || strings.Contains(lk, "datasource")) {
				obj[k] = "********"
				fields = append(fields, p)
			}
			walk(x, p)
		}
	}
	walk(m, "")
	sort.Strings(fields)
	out, err := json.MarshalIndent(m, "", "  ")
	return out, fields, err
}

var errNotConfig = &setbot.Error{Code: setbot.EInvalid, Message: "this JSON is not a Mattermost configuration."}
