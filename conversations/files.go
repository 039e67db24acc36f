package conversations

import (
	"fmt"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// files takes checked uploads into the intake, each into its slot, and says
// what became of each.
func (t *turn) files(files []artifacts.Checked) {
	var got []string
	for _, c := range files {
		if !c.OK() {
			t.say(c.Problem)
			continue
		}
		if line, ok := t.file(c); ok {
			got = append(got, line)
		}
	}
	if len(got) == 1 {
		t.say("Got %s.", got[0])
	} else if len(got) > 1 {
		t.say("Got:\n- %s", strings.Join(got, "\n- "))
	}
}

// file takes one accepted upload; ok is false when it was refused here.
func (t *turn) file(c artifacts.Checked) (string, bool) {
	in := &t.s.Intake
	a := c.Attachment
	switch a.Kind {
	case setbot.ArtifactSupportPacket:
		t.packet(c)
	case setbot.ArtifactConfig:
		in.Config, in.NoConfig = &a, ""
		line := attachmentLine(a)
		if len(a.Redacted) > 0 {
			line += fmt.Sprintf(". I redacted these before keeping it: %s", clip(Quote(strings.Join(a.Redacted, ", ")), maxEchoRunes))
		}
		return line, true
	case setbot.ArtifactLog:
		in.Logs, in.NoLogs = append(in.Logs, a), ""
	case setbot.ArtifactCPUProfile, setbot.ArtifactHeapProfile, setbot.ArtifactStackDump:
		if want := profileKind(in.Symptom); t.s.SymptomSet && want != setbot.ArtifactUnknown && want != a.Kind {
			t.say("%s is a %s, but for %s SET needs a %s. %s", "`"+strings.ReplaceAll(Quote(a.Name), "`", "'")+"`",
				artifacts.KindName(a.Kind), in.Symptom, artifacts.KindName(want), artifacts.HowTo(want))
			return "", false
		}
		if !t.s.SymptomSet {
			in.Symptom, t.s.SymptomSet = symptomFor(a.Kind), true
			t.say("I take it the symptom is %s (`edit symptom` changes it).", in.Symptom)
		}
		in.Profiles, in.NoProfile = append(in.Profiles, a), ""
	default:
		return "", false
	}
	return attachmentLine(a), true
}

// symptomFor is the symptom whose required artifact is k (profileKind read
// backwards), or SymptomNone.
func symptomFor(k setbot.ArtifactKind) setbot.Symptom {
	for _, sym := range []setbot.Symptom{setbot.SymptomCPU, setbot.SymptomMemory, setbot.SymptomHang} {
		if k != setbot.ArtifactUnknown && profileKind(sym) == k {
			return sym
		}
	}
	return setbot.SymptomNone
}

// packet fills what is still empty from a support packet's facts and parts,
// and asks the person to confirm rather than type.
func (t *turn) packet(c artifacts.Checked) {
	in := &t.s.Intake
	a := c.Attachment
	in.Packet = &a
	p := c.Packet
	if p == nil {
		return
	}
	from := func(it Item) {
		for _, x := range t.s.FromPacket {
			if x == it {
				return
			}
		}
		t.s.FromPacket = append(t.s.FromPacket, it)
	}
	if in.Version == "" && p.Version != "" {
		in.Version = p.Version
		from(ItemVersion)
	}
	if in.Database.Version == "" && p.Database.Type != "" {
		in.Database = p.Database
		from(ItemDatabase)
	}
	for _, part := range p.Parts {
		pa := part.Attachment
		switch pa.Kind {
		case setbot.ArtifactConfig:
			if in.Config == nil {
				in.Config, in.NoConfig = &pa, ""
				from(ItemConfig)
			}
		case setbot.ArtifactLog:
			in.Logs, in.NoLogs = append(in.Logs, pa), ""
			from(ItemLogs)
		case setbot.ArtifactCPUProfile, setbot.ArtifactHeapProfile, setbot.ArtifactStackDump:
			in.Profiles = append(in.Profiles, pa)
			from(ItemProfile)
		}
	}
	t.s.PacketPending = len(t.s.FromPacket) > 0
}

// dropPacketParts undoes what a packet filled for it (packet parts have no
// FileID of their own).
func dropPacketParts(s *State, it Item) {
	in := &s.Intake
	keep := func(as []setbot.Attachment) []setbot.Attachment {
		out := as[:0:0]
		for _, a := range as {
			if a.FileID != "" {
				out = append(out, a)
			}
		}
		return out
	}
	switch it {
	case ItemVersion:
		in.Version = ""
	case ItemDatabase:
		in.Database = setbot.Database{}
	case ItemConfig:
		if in.Config != nil && in.Config.FileID == "" {
			in.Config = nil
		}
	case ItemLogs:
		in.Logs, s.LogsDone = keep(in.Logs), false
	case ItemProfile:
		in.Profiles = keep(in.Profiles)
	}
}

// captions reads the text sent with files for facts, not as an answer.
func (t *turn) captions(text string) {
	if strings.TrimSpace(text) != "" {
		t.recognise(text)
	}
}

// continueAfterFiles asks what comes next after an upload.
func (t *turn) continueAfterFiles() {
	switch t.s.Phase {
	case PhaseOffered:
		t.offer()
	case PhaseReview:
		t.advance()
	case PhaseAsking:
		it := lookup(t.s.Current)
		if it != nil && it.needed(&t.s) && !it.done(&t.s) && !t.s.PacketPending {
			t.ask()
			return
		}
		t.advance()
	}
}
