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

// MaxIntakeBytes bounds what one intake holds in uploads: setbot keeps
// each until the ticket is filed, and Jira takes files one by one; past
// this, a person is asked to trim (a support packet, a shorter log window)
// instead of the store growing without bound.
const MaxIntakeBytes = 512 << 20

// heldBytes is the size of the uploads the intake holds.
func heldBytes(in setbot.Intake) int64 {
	var n int64
	if in.Config != nil {
		n += in.Config.Size
	}
	for _, a := range append(append([]setbot.Attachment(nil), in.Logs...), in.Profiles...) {
		n += a.Size
	}
	return n
}

// file takes one accepted upload; ok is false when it was refused here.
func (t *turn) file(c artifacts.Checked) (string, bool) {
	in := &t.s.Intake
	a := c.Attachment
	if held := heldBytes(*in); held+a.Size > MaxIntakeBytes && a.Kind != setbot.ArtifactSupportPacket {
		t.say("I can't take %s: this ticket already holds %s of files, and one ticket holds at most %s. Upload a shorter stretch of the log, or just what SET needs for this problem.",
			fileName(a), artifacts.HumanBytes(held), artifacts.HumanBytes(MaxIntakeBytes))
		return "", false
	}
	switch a.Kind {
	case setbot.ArtifactSupportPacket:
		t.packet(c)
	case setbot.ArtifactConfig:
		if in.Config != nil && sameFile(*in.Config, a) {
			t.say("I already have %s, so I kept the one I had.", fileName(a))
			return "", false
		}
		in.Config, in.NoConfig = &a, ""
		line := attachmentLine(a)
		if len(a.Redacted) > 0 {
			line += fmt.Sprintf(". I redacted these before keeping it: %s", clip(Quote(strings.Join(a.Redacted, ", ")), maxEchoRunes))
		}
		return line, true
	case setbot.ArtifactLog:
		if !t.room(in.Logs, a, "log files", ItemLogs) {
			return "", false
		}
		in.Logs, in.NoLogs = append(in.Logs, a), ""
	case setbot.ArtifactCPUProfile, setbot.ArtifactHeapProfile, setbot.ArtifactStackDump:
		if want := profileKind(in.Symptom); t.s.SymptomSet && want != setbot.ArtifactUnknown && want != a.Kind {
			t.say("%s is a %s, but for %s SET needs a %s. %s", fileName(a),
				artifacts.KindName(a.Kind), in.Symptom, artifacts.KindName(want), artifacts.HowTo(want))
			return "", false
		}
		if !t.room(in.Profiles, a, "profiles and dumps", ItemProfile) {
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

// MaxFilesPerItem bounds the files one item keeps (logs; profiles and
// dumps). Ten covers every node of a large cluster; each file kept is a
// blob in setbot's store and an attachment on the Jira ticket, where more
// than that is hard to read. More files go in one .zip, which counts as one.
const MaxFilesPerItem = 10

// room reports whether a can join list: it is not a file list already
// holds, and list is not full. It tells the person why not.
func (t *turn) room(list []setbot.Attachment, a setbot.Attachment, what string, it Item) bool {
	switch dup, full := fits(list, a); {
	case dup:
		t.say("I already have %s, so I did not add it again.", fileName(a))
		return false
	case full:
		t.say("I keep at most %d %s per ticket, so I did not add %s. Put them in one .zip instead (`edit %s` starts them over), or go on with the %d I have.",
			MaxFilesPerItem, what, fileName(a), it, len(list))
		return false
	}
	return true
}

// fits reports why a cannot join list: it is already there (dup), or list
// holds MaxFilesPerItem files (full).
func fits(list []setbot.Attachment, a setbot.Attachment) (dup, full bool) {
	for _, b := range list {
		if sameFile(a, b) {
			return true, false
		}
	}
	return false, len(list) >= MaxFilesPerItem
}

// sameFile reports whether a and b are the same file sent twice: the same
// content (the same blob), or the same name and size.
func sameFile(a, b setbot.Attachment) bool {
	if a.BlobKey != "" && a.BlobKey == b.BlobKey {
		return true
	}
	return a.Name == b.Name && a.Size == b.Size
}

// fileName is a file's name as code in a post.
func fileName(a setbot.Attachment) string {
	return "`" + strings.ReplaceAll(Quote(a.Name), "`", "'") + "`"
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
	left := 0 // parts beyond MaxFilesPerItem
	for _, part := range p.Parts {
		pa := part.Attachment
		switch pa.Kind {
		case setbot.ArtifactConfig:
			if in.Config == nil {
				in.Config, in.NoConfig = &pa, ""
				from(ItemConfig)
			}
		case setbot.ArtifactLog:
			if dup, full := fits(in.Logs, pa); full {
				left++
			} else if !dup {
				in.Logs, in.NoLogs = append(in.Logs, pa), ""
				from(ItemLogs)
			}
		case setbot.ArtifactCPUProfile, setbot.ArtifactHeapProfile, setbot.ArtifactStackDump:
			if dup, full := fits(in.Profiles, pa); full {
				left++
			} else if !dup {
				in.Profiles = append(in.Profiles, pa)
				from(ItemProfile)
			}
		}
	}
	if left > 0 {
		t.say("I keep at most %d log files and %d profiles per ticket, so I left %d file(s) of the support packet out.",
			MaxFilesPerItem, MaxFilesPerItem, left)
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
