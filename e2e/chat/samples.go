package chat

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
)

// sample is a file a person can upload to try setbot's checks. They are made
// on first use from the same helpers the tests use, so no binary is committed.
type sample struct {
	name string
	what string
	make func() ([]byte, error)
}

var samples = []sample{
	{"config.json", "a Mattermost config.json with fake secrets (setbot redacts them)",
		func() ([]byte, error) { return mmtest.ConfigJSON(), nil }},
	{"mattermost.log", "a server log (JSON lines)",
		func() ([]byte, error) { return artifactstest.JSONLog(200), nil }},
	{"cpu.pprof", "a real CPU profile",
		artifactstest.CPUProfile},
	{"support-packet.zip", "a support packet (version, database, config and logs at once)",
		func() ([]byte, error) { return artifactstest.SupportPacket(mmtest.ConfigJSON()) }},
}

// SampleNames lists the sample files.
func SampleNames() []string {
	names := make([]string, len(samples))
	for i, s := range samples {
		names[i] = s.name
	}
	return names
}

// DefaultSamples is where the samples go: beside the demo's state.
func DefaultSamples() string {
	dir := os.Getenv("SETBOT_DEVSTACK_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "setbot-devstack")
	}
	return filepath.Join(dir, "demo", "samples")
}

// WriteSamples makes the sample files in dir that are not there yet.
func WriteSamples(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make the samples folder %s: %w", dir, err)
	}
	for _, s := range samples {
		path := filepath.Join(dir, s.name)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		data, err := s.make()
		if err != nil {
			return fmt.Errorf("make %s: %w", s.name, err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// sampleLines describes the samples for the person.
func sampleLines(dir string) []string {
	lines := []string{"Sample files to upload (in " + dir + "):"}
	for _, s := range samples {
		lines = append(lines, fmt.Sprintf("  /upload %-20s %s", s.name, s.what))
	}
	return lines
}
