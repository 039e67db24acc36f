package conversations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// text handles a typed message while an intake is offered, asked or in review.
func (t *turn) text(text string) error {
	if t.s.Phase == PhaseOffered {
		return t.offered(text)
	}
	word, arg, _ := strings.Cut(text, " ")
	word = strings.Trim(strings.ToLower(word), "`!.")
	if cmd, ok := commands[word]; ok && (arg == "" || word == "edit") {
		cmd(t, strings.TrimSpace(arg))
		return nil
	}
	if t.s.Phase == PhaseReview {
		t.review(text)
		return nil
	}
	t.answer(text)
	return nil
}

// commands work at any question and at review. A table, not a switch.
var commands = map[string]func(t *turn, arg string){
	"cancel": (*turn).cancel,
	"status": func(t *turn, _ string) { t.status(); t.ask() },
	"back":   func(t *turn, _ string) { t.back() },
	"skip":   func(t *turn, _ string) { t.skip() },
	"edit":   (*turn).edit,
	"help": func(t *turn, _ string) {
		t.say("I'm collecting a SET ticket. Answer the question, upload files at any time, or say `status`, `back`, `skip`, `edit <item>` or `cancel`.")
		t.ask()
	},
}

func (t *turn) offered(text string) error {
	switch {
	case isYes(text):
		t.accept()
	case isNo(text), strings.EqualFold(text, "cancel"):
		t.s = State{Version: StateVersion}
		t.say("OK. Say `new` whenever you need to escalate something to SET.")
	case readsLikeProblem(text):
		if !isEntryWord(text) {
			t.draft(text)
		}
		t.accept()
	default:
		return ErrNotIntake
	}
	return nil
}

func (t *turn) cancel(string) {
	t.s = State{Version: StateVersion}
	t.say("Cancelled. Nothing was filed, and I dropped what you gave me. Say `new` to start again.")
}

// answer takes text as the answer to the current question.
func (t *turn) answer(text string) {
	it := lookup(t.s.Current)
	if it == nil || !it.needed(&t.s) {
		t.advance()
		return
	}
	if text == "" {
		t.ask()
		return
	}
	if it.name != ItemPacket && t.other(it, text) {
		t.advance()
		return
	}
	if it.done(&t.s) && isYes(text) && !(it.name == ItemSummary && t.s.DraftPending) {
		t.advance()
		return
	}
	note, err := it.answer(&t.s, text)
	if err != nil {
		t.say(setbot.ErrorMessage(err))
		_, t.buttons = it.ask(&t.s)
		return
	}
	t.say(note)
	if it.name == ItemSummary || it.name == ItemDetails || it.name == ItemImpact || it.name == ItemAffected {
		t.recognise(text)
	}
	t.advance()
}

var priorityOnly = regexp.MustCompile(`(?i)^\s*[lp][1-4]\s*$`)

// other recognises a whole answer that belongs to another item ("10.11.4"
// while asked for the customer) and files it there.
func (t *turn) other(cur *item, text string) bool {
	fill := func(it *item) bool {
		if it == cur || !it.needed(&t.s) {
			return false
		}
		if _, err := it.answer(&t.s, text); err != nil {
			return false
		}
		t.say("Noted the %s: %s.", strings.ToLower(it.label), it.show(&t.s))
		return true
	}
	if _, err := artifacts.ParseVersion(text); err == nil {
		return fill(versionItem)
	}
	if db, err := artifacts.ParseDatabase(text); err == nil && len(strings.Fields(text)) <= 4 && db.Version != "" {
		return fill(databaseItem)
	}
	if priorityOnly.MatchString(text) {
		return fill(priorityItem)
	}
	switch strings.ToLower(text) {
	case "bug", "feature request", "question":
		return fill(typeItem)
	}
	return false
}

// recognise fills version, database and symptom from a description, when
// they are still empty.
func (t *turn) recognise(text string) {
	var got []string
	in := &t.s.Intake
	if in.Version == "" {
		if v := artifacts.FindVersion(text); v != "" {
			in.Version = v
			got = append(got, "version "+Quote(v))
		}
	}
	if in.Database.Version == "" {
		if db, ok := artifacts.FindDatabase(text); ok && (in.Database.Type == "" || db.Version != "") {
			in.Database = db
			got = append(got, Quote(strings.TrimSpace(db.Type+" "+db.Version)))
		}
	}
	if !t.s.SymptomSet {
		if sym := findSymptom(text); sym != setbot.SymptomNone {
			in.Symptom, t.s.SymptomSet = sym, true
			got = append(got, "symptom: "+sym.String())
		}
	}
	if len(got) > 0 {
		t.say("From your message I noted: %s. (`edit` changes it at the end.)", strings.Join(got, ", "))
	}
}

var symptomWords = []struct {
	re  *regexp.Regexp
	sym setbot.Symptom
}{
	{regexp.MustCompile(`(?i)\b(high cpu|cpu (usage|spikes?|load|is high|at 100)|100 ?% cpu)\b`), setbot.SymptomCPU},
	{regexp.MustCompile(`(?i)\b(memory (leak|growth|grows|usage|keeps growing)|out of memory|oom|high memory|ram usage)\b`), setbot.SymptomMemory},
	{regexp.MustCompile(`(?i)\b(hangs?|hanging|hung|stuck|frozen|freezes|deadlocks?|unresponsive)\b`), setbot.SymptomHang},
}

func findSymptom(text string) setbot.Symptom {
	for _, w := range symptomWords {
		if w.re.MatchString(text) {
			return w.sym
		}
	}
	return setbot.SymptomNone
}

// entryWords start an intake by themselves.
var entryWords = regexp.MustCompile(`(?i)^\s*(new|ticket|new ticket|escalate|escalation|start|open a ticket|set ticket)\s*[.!]*\s*$`)

func isEntryWord(text string) bool { return entryWords.MatchString(text) }

// problemWords make a first DM read like a problem to escalate.
var problemWords = regexp.MustCompile(`(?i)\b(escalat\w*|ticket|issue|problem|error|errors|bug|crash\w*|slow\w*|fail\w*|broken|down|outage|cannot|can't|can not|unable|not working|doesn't work|does not work|customer|cpu|memory|leak|hang\w*|stuck|timeout|timing out|panic|500|502|503|504|degrad\w*|regression)\b`)

// readsLikeProblem decides whether a DM with no intake under way is about
// an escalation.
func readsLikeProblem(text string) bool {
	return isEntryWord(text) || problemWords.MatchString(text) || len(strings.Fields(text)) >= 12
}

// advance moves to the first open question, or to review.
func (t *turn) advance() {
	t.s.Phase = PhaseAsking
	for _, it := range items {
		if it.needed(&t.s) && !it.done(&t.s) && !(it.optional && t.s.skipped(it.name)) {
			t.s.Current = it.name
			t.ask()
			return
		}
	}
	t.s.Current = ""
	if t.needsCheck() {
		t.check()
		return
	}
	t.s.Phase = PhaseReview
	t.reviewPost()
}

// ask asks the current question (or repeats the review prompt).
func (t *turn) ask() {
	switch t.s.Phase {
	case PhaseReview:
		if m := t.matches(); len(m) > 0 {
			t.say("Reply `add %s` to add to that ticket, `new` to file a new ticket, `edit <item>` to change something, or `cancel`.", Quote(string(m[0].Key)))
		} else if t.filesNowhere() {
			t.say("Reply `confirm` to close this without a ticket, `edit <item>` to change something, or `cancel`.")
		} else {
			t.say("Reply `confirm` to file it, `edit <item>` to change something, or `cancel`.")
		}
		t.reviewButtons()
		return
	case PhaseOffered:
		t.offer()
		return
	case PhaseAsking:
	default:
		return
	}
	it := lookup(t.s.Current)
	if it == nil {
		return
	}
	q, buttons := it.ask(&t.s)
	if it.done(&t.s) && it.name != ItemPacket && !(it.name == ItemSummary && t.s.DraftPending) {
		q = fmt.Sprintf("Now: %s\nSend a new answer, or `ok` to keep it. %s", it.show(&t.s), q)
	}
	t.say(q)
	t.buttons = buttons
}

func (t *turn) back() {
	if t.s.Phase == PhaseReview {
		t.s.Phase = PhaseAsking
		for i := len(items) - 1; i >= 0; i-- {
			if items[i].needed(&t.s) && items[i].name != ItemPacket {
				t.s.Current = items[i].name
				break
			}
		}
		t.ask()
		return
	}
	at := -1
	for i, it := range items {
		if it.name == t.s.Current {
			at = i
		}
	}
	for i := at - 1; i >= 0; i-- {
		if it := items[i]; it.needed(&t.s) && it.name != ItemPacket {
			t.s.Current = it.name
			t.ask()
			return
		}
	}
	t.say("This is the first question.")
	t.ask()
}

func (t *turn) skip() {
	if t.s.Phase != PhaseAsking {
		t.ask()
		return
	}
	it := lookup(t.s.Current)
	if it == nil {
		t.advance()
		return
	}
	if it.optional {
		if !t.s.skipped(it.name) {
			t.s.Skipped = append(t.s.Skipped, it.name)
		}
		t.advance()
		return
	}
	if it.name == ItemLogs && len(t.s.Intake.Logs) > 0 {
		t.s.LogsDone = true
		t.advance()
		return
	}
	why := it.why
	if why == "" {
		why = "SET needs it."
	}
	t.say("I can't skip the %s: %s", strings.ToLower(it.label), why)
	t.ask()
}

// editNames are what `edit` accepts besides the item names.
var editNames = map[string]Item{
	"db": ItemDatabase, "configuration": ItemConfig, "config.json": ItemConfig, "log": ItemLogs,
	"description": ItemDetails, "title": ItemSummary, "users": ItemCustomer, "cpu": ItemProfile,
	"heap": ItemProfile, "dump": ItemProfile, "stack": ItemProfile, "mattermost": ItemVersion,
}

func (t *turn) edit(arg string) {
	name := Item(strings.Trim(strings.ToLower(arg), "`<>"))
	if alias, ok := editNames[string(name)]; ok {
		name = alias
	}
	it := lookup(name)
	if it == nil || it.name == ItemPacket || !it.needed(&t.s) {
		var names []string
		for _, it := range items {
			if it.name != ItemPacket && it.needed(&t.s) {
				names = append(names, "`"+string(it.name)+"`")
			}
		}
		t.say("I can edit: %s. For example: `edit version`.", strings.Join(names, ", "))
		t.ask()
		return
	}
	if it == configItem || it == logsItem || it == profileItem {
		it.clear(&t.s)
		t.say("I removed what I had for the %s; please give it again.", strings.ToLower(it.label))
	}
	if it == detailsItem {
		t.s.Skipped = removeItem(t.s.Skipped, ItemDetails)
		t.s.DetailsDone = t.s.Intake.Description != ""
	}
	t.s.Phase, t.s.Current = PhaseAsking, it.name
	t.ask()
}

func removeItem(list []Item, it Item) []Item {
	out := list[:0:0]
	for _, x := range list {
		if x != it {
			out = append(out, x)
		}
	}
	return out
}

// click handles a button press while asking or in review. Buttons carry
// the same meaning as their text fallback.
func (t *turn) click(action string) {
	rest, ok := strings.CutPrefix(action, "intake:")
	if !ok {
		t.ask()
		return
	}
	kind, value, _ := strings.Cut(rest, ":")
	switch kind {
	case "start":
		if t.s.Phase == PhaseOffered {
			t.accept()
			return
		}
	case "dismiss":
		if t.s.Phase == PhaseOffered {
			_ = t.offered("no")
			return
		}
	case "confirm":
		if t.s.Phase == PhaseReview {
			t.confirm()
			return
		}
	case "add":
		if t.s.Phase == PhaseReview && t.similarIssue(value) != nil {
			t.addTo(value)
			return
		}
	case "cancel":
		t.cancel("")
		return
	case "skip":
		if t.s.Current == ItemDetails {
			t.skip()
			return
		}
	case "keep":
		if t.s.Current == ItemSummary && t.s.Phase == PhaseAsking {
			t.answer("ok")
			return
		}
	case "done":
		if t.s.Current == ItemLogs && t.s.Phase == PhaseAsking {
			t.answer("done")
			return
		}
	case "type", "priority", "symptom", "packet":
		it := map[string]*item{"type": typeItem, "priority": priorityItem, "symptom": symptomItem, "packet": packetItem}[kind]
		if (t.s.Phase == PhaseAsking || t.s.Phase == PhaseReview) && it.needed(&t.s) {
			if _, err := it.answer(&t.s, value); err == nil {
				t.advance()
				return
			}
		}
	}
	t.say("That button belongs to an earlier question.")
	t.ask()
}
