package artifacts

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"github.com/setbot/setbot"
)

// checkProfile checks raw, an uncompressed pprof protocol buffer. ok is false
// when raw is not a profile at all.
func checkProfile(f setbot.File, raw []byte) (c Checked, ok bool) {
	p, err := profile.ParseUncompressed(raw)
	if err != nil || len(p.SampleType) == 0 {
		return Checked{}, false
	}
	name := displayName(f.Name)
	size := f.Content.Len()
	if size > MaxProfileBytes {
		return refuse(f, "%s is %s; profiles are limited to %s.", name, HumanBytes(size), HumanBytes(MaxProfileBytes)), true
	}
	kind, what := profileKind(p)
	a := setbot.Attachment{Kind: kind, Name: f.Name, FileID: f.ID, Size: size}
	switch kind {
	case setbot.ArtifactCPUProfile:
		a.Note = fmt.Sprintf("CPU profile: %s of samples, %s samples", time.Duration(p.DurationNanos).Round(time.Second), thousands(len(p.Sample)))
		return Checked{Attachment: a}, true
	case setbot.ArtifactHeapProfile:
		a.Note = fmt.Sprintf("heap profile (%s), %s samples", sampleTypes(p), thousands(len(p.Sample)))
		return Checked{Attachment: a}, true
	case setbot.ArtifactStackDump:
		return refuse(f, "%s is a goroutine profile in pprof form, which does not show what each goroutine waits on. %s", name, howTo(setbot.ArtifactStackDump)), true
	}
	return refuse(f, "%s is %s, not a CPU or heap profile. %s", name, what, howTo(want2(intent(f.Name)))), true
}

// want2 falls back to the CPU profile's instructions when the name says nothing.
func want2(k setbot.ArtifactKind) setbot.ArtifactKind {
	if k == setbot.ArtifactUnknown || k == setbot.ArtifactLog || k == setbot.ArtifactConfig {
		return setbot.ArtifactCPUProfile
	}
	return k
}

// profileKind tells a CPU profile (samples/cpu) from a heap profile
// (alloc/inuse space) and from the other Go profiles.
func profileKind(p *profile.Profile) (setbot.ArtifactKind, string) {
	has := func(names ...string) bool {
		for _, st := range p.SampleType {
			for _, n := range names {
				if st.Type == n {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("cpu") || (has("samples") && p.PeriodType != nil && p.PeriodType.Type == "cpu"):
		return setbot.ArtifactCPUProfile, "a CPU profile"
	case has("inuse_space", "alloc_space"):
		return setbot.ArtifactHeapProfile, "a heap profile"
	case has("goroutine"):
		return setbot.ArtifactStackDump, "a goroutine profile"
	case has("contentions", "delay"):
		return setbot.ArtifactUnknown, "a block or mutex contention profile"
	case has("threadcreate"):
		return setbot.ArtifactUnknown, "a thread-creation profile"
	}
	return setbot.ArtifactUnknown, "a pprof profile of " + sampleTypes(p)
}

func sampleTypes(p *profile.Profile) string {
	var names []string
	for _, st := range p.SampleType {
		names = append(names, st.Type)
	}
	return strings.Join(names, ", ")
}
