package conversations

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// notAvailable reads "not available: <reason>" and its variants; reason is
// what follows. ok is false when the text does not say "not available".
var notAvailableRE = regexp.MustCompile(`(?is)^\s*(not available|n/a|na|none|unavailable|can'?t get (it|them)|cannot get (it|them)|no (config|logs?|profile|dump))\b[\s:,.\-–—]*(because\b)?\s*(.*)$`)

func notAvailable(text string) (reason string, ok bool) {
	m := notAvailableRE.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(m[len(m)-1]), true
}

// answerNotAvailable takes "not available: reason" for a file item.
func answerNotAvailable(field func(*State) *string, upload string) func(*State, string) (string, error) {
	return func(s *State, text string) (string, error) {
		reason, ok := notAvailable(text)
		if !ok {
			return "", errf("%s, or say `not available: <reason>`.", upload)
		}
		if len([]rune(reason)) < 3 {
			return "", errf("Why is it not available? For example: `not available: the customer's policy forbids sharing it`.")
		}
		*field(s), _ = setbot.Truncate(reason, MaxAnswerRunes)
		return "", nil
	}
}

func attachmentLine(a setbot.Attachment) string {
	line := Quote(a.Name)
	if a.Note != "" {
		line += " (" + Quote(a.Note) + ")"
	}
	return line
}

var configItem = &item{
	name:   ItemConfig,
	label:  "Configuration",
	why:    "most problems depend on settings, and SET compares them with a working setup. Secrets are redacted before I keep it. If you cannot get it, say `not available: <reason>`.",
	needed: forSET,
	done:   func(s *State) bool { return s.Intake.Config != nil || s.Intake.NoConfig != "" },
	ask: func(s *State) (string, []setbot.Button) {
		return "Please upload the server's config.json (I redact every password, key and token before keeping it). " +
			"`mmctl config show --json > config.json` exports it. If you cannot get it, say `not available: <reason>`.", nil
	},
	answer: answerNotAvailable(func(s *State) *string { return &s.Intake.NoConfig }, "Upload config.json"),
	show: func(s *State) string {
		if c := s.Intake.Config; c != nil {
			line := attachmentLine(*c)
			if len(c.Redacted) > 0 {
				line += "; redacted: " + clip(Quote(strings.Join(c.Redacted, ", ")), maxEchoRunes)
			}
			return line
		}
		return "not available: " + clip(Quote(s.Intake.NoConfig), maxEchoRunes)
	},
	clear: func(s *State) { s.Intake.Config, s.Intake.NoConfig = nil, "" },
}

var logsItem = &item{
	name:   ItemLogs,
	label:  "Logs",
	why:    "the logs show what the server did when it went wrong. If you cannot get them, say `not available: <reason>`.",
	needed: forSET,
	done: func(s *State) bool {
		return (len(s.Intake.Logs) > 0 && s.LogsDone) || s.Intake.NoLogs != ""
	},
	ask: func(s *State) (string, []setbot.Button) {
		if n := len(s.Intake.Logs); n > 0 {
			return fmt.Sprintf("I have %d log file(s). Any more? Upload them, or say `done`.", n),
				[]setbot.Button{{Label: "That's all", Action: "intake:done", Style: "primary"}}
		}
		return fmt.Sprintf("Please upload the server logs that cover the problem: mattermost.log, plain, .gz or .zip, up to %d MiB each. "+
			"If you cannot get them, say `not available: <reason>`.", artifacts.MaxLogBytes>>20), nil
	},
	answer: func(s *State, text string) (string, error) {
		if isDone(text) {
			if len(s.Intake.Logs) == 0 {
				return "", errf("I have no logs yet. Upload at least one, or say `not available: <reason>`.")
			}
			s.LogsDone = true
			return "", nil
		}
		if len(s.Intake.Logs) > 0 {
			if _, ok := notAvailable(text); !ok {
				return "", errf("Upload the other logs, or say `done` if that is all of them.")
			}
		}
		return answerNotAvailable(func(s *State) *string { return &s.Intake.NoLogs }, "Upload the logs")(s, text)
	},
	show: func(s *State) string {
		if len(s.Intake.Logs) == 0 {
			return "not available: " + clip(Quote(s.Intake.NoLogs), maxEchoRunes)
		}
		var names []string
		for _, a := range s.Intake.Logs {
			names = append(names, attachmentLine(a))
		}
		return clip(strings.Join(names, "; "), 3*maxEchoRunes)
	},
	clear: func(s *State) { s.Intake.Logs, s.Intake.NoLogs, s.LogsDone = nil, "", false },
}

var symptomItem = &item{
	name:   ItemSymptom,
	label:  "Symptom",
	why:    "it tells which diagnostic SET needs.",
	needed: forSET,
	done:   func(s *State) bool { return s.SymptomSet },
	ask: func(s *State) (string, []setbot.Button) {
		return "Does one of these fit? High CPU, memory growth, stuck or hanging, or none of these.", []setbot.Button{
			{Label: "High CPU", Action: "intake:symptom:cpu"},
			{Label: "Memory growth", Action: "intake:symptom:memory"},
			{Label: "Stuck or hanging", Action: "intake:symptom:hang"},
			{Label: "None of these", Action: "intake:symptom:none"},
		}
	},
	answer: func(s *State, text string) (string, error) {
		sym, ok := parseSymptom(text)
		if !ok {
			return "", errf("Answer `high CPU`, `memory`, `stuck` or `none`.")
		}
		s.Intake.Symptom, s.SymptomSet = sym, true
		return "", nil
	},
	show: func(s *State) string { return s.Intake.Symptom.String() },
}

func parseSymptom(text string) (setbot.Symptom, bool) {
	if isNo(text) { // "nope", "nah": none of these
		return setbot.SymptomNone, true
	}
	switch strings.Trim(strings.ToLower(strings.TrimSpace(text)), ".!") {
	case "cpu", "high cpu", "cpu usage", "high cpu usage":
		return setbot.SymptomCPU, true
	case "memory", "memory growth", "mem", "ram", "memory leak", "oom", "high memory":
		return setbot.SymptomMemory, true
	case "hang", "hanging", "stuck", "stuck or hanging", "frozen", "deadlock", "unresponsive":
		return setbot.SymptomHang, true
	case "none", "none of these", "no", "neither", "n/a", "other":
		return setbot.SymptomNone, true
	}
	return setbot.SymptomNone, false
}

// profileKind is the artifact the symptom needs.
func profileKind(sym setbot.Symptom) setbot.ArtifactKind {
	switch sym {
	case setbot.SymptomCPU:
		return setbot.ArtifactCPUProfile
	case setbot.SymptomMemory:
		return setbot.ArtifactHeapProfile
	case setbot.SymptomHang:
		return setbot.ArtifactStackDump
	}
	return setbot.ArtifactUnknown
}

func hasKind(list []setbot.Attachment, k setbot.ArtifactKind) bool {
	for _, a := range list {
		if a.Kind == k {
			return true
		}
	}
	return false
}

var profileItem = &item{
	name:   ItemProfile,
	label:  "Profile",
	why:    "for this symptom the profile is what shows where the time, memory or goroutines go; logs rarely do. If you cannot get it, say `not available: <reason>`.",
	needed: func(s *State) bool { return forSET(s) && s.SymptomSet && s.Intake.Symptom != setbot.SymptomNone },
	done: func(s *State) bool {
		return hasKind(s.Intake.Profiles, profileKind(s.Intake.Symptom)) || s.Intake.NoProfile != ""
	},
	ask: func(s *State) (string, []setbot.Button) {
		k := profileKind(s.Intake.Symptom)
		return fmt.Sprintf("For %s SET needs a %s. %s If you cannot get it, say `not available: <reason>`.",
			s.Intake.Symptom, artifacts.KindName(k), artifacts.HowTo(k)), nil
	},
	answer: answerNotAvailable(func(s *State) *string { return &s.Intake.NoProfile }, "Upload the profile"),
	show: func(s *State) string {
		var names []string
		for _, a := range s.Intake.Profiles {
			names = append(names, attachmentLine(a))
		}
		if s.Intake.NoProfile != "" {
			names = append(names, "not available: "+clip(Quote(s.Intake.NoProfile), maxEchoRunes))
		}
		return strings.Join(names, "; ")
	},
	clear: func(s *State) {
		k := profileKind(s.Intake.Symptom)
		kept := s.Intake.Profiles[:0:0]
		for _, a := range s.Intake.Profiles {
			if a.Kind != k {
				kept = append(kept, a)
			}
		}
		s.Intake.Profiles, s.Intake.NoProfile = kept, ""
	},
}

var detailsItem = &item{
	name:     ItemDetails,
	label:    "Details",
	optional: true,
	needed:   always,
	done:     func(s *State) bool { return s.DetailsDone },
	ask: func(s *State) (string, []setbot.Button) {
		return "Anything else SET should know: steps to reproduce, error messages, what was tried? Say `skip` if not.",
			[]setbot.Button{{Label: "Skip", Action: "intake:skip"}}
	},
	answer: func(s *State, text string) (string, error) {
		if r := readReply(text); r == replyNo || r == replyDone { // "no, that's all": nothing else to add
			if !s.skipped(ItemDetails) {
				s.Skipped = append(s.Skipped, ItemDetails)
			}
			return "", nil
		}
		if s.DetailsDone { // edit: the new text replaces the old
			s.Intake.Description = ""
		}
		s.DetailsDone = true
		addDescription(s, text)
		if len([]rune(strings.TrimSpace(text))) > MaxDescriptionRunes {
			return fmt.Sprintf("That was long; I kept the first %d characters. Attach the rest as a file.", MaxDescriptionRunes), nil
		}
		return "", nil
	},
	show: func(s *State) string {
		d, cut := setbot.Truncate(s.Intake.Description, maxEchoDetails)
		out := "\n" + QuoteBlock(d)
		if cut {
			out += fmt.Sprintf("\n_(%d characters in all; the ticket gets the whole text)_", utf8.RuneCountInString(s.Intake.Description))
		}
		return out
	},
}

var packetItem = &item{
	name:   ItemPacket,
	label:  "Support packet",
	needed: func(s *State) bool { return s.PacketPending },
	done:   func(s *State) bool { return !s.PacketPending },
	ask: func(s *State) (string, []setbot.Button) {
		var b strings.Builder
		b.WriteString("From the support packet I took:")
		for _, it := range s.FromPacket {
			fmt.Fprintf(&b, "\n- **%s:** %s", lookup(it).label, lookup(it).show(s))
		}
		b.WriteString("\nIs that right? Reply `yes`, or `no` and I will ask for those instead.")
		return b.String(), []setbot.Button{
			{Label: "Yes", Action: "intake:packet:yes", Style: "primary"},
			{Label: "No", Action: "intake:packet:no"},
		}
	},
	answer: func(s *State, text string) (string, error) {
		switch {
		case isYes(text):
			for _, it := range s.FromPacket {
				if it == ItemLogs {
					s.LogsDone = true
				}
			}
		case isNo(text):
			for _, it := range s.FromPacket {
				dropPacketParts(s, it)
			}
		default:
			return "", errf("Reply `yes` if what I took from the support packet is right, or `no`.")
		}
		s.PacketPending, s.FromPacket = false, nil
		return "", nil
	},
	show: func(s *State) string { return "" },
}
