package conversations

import (
	"fmt"
	"strings"

	"github.com/setbot/setbot"
)

// collected lists the answered items as "- **Label:** value" lines.
func (t *turn) collected() []string {
	var lines []string
	for _, it := range items {
		if it.name == ItemPacket || !it.needed(&t.s) || !it.done(&t.s) {
			continue
		}
		lines = append(lines, fmt.Sprintf("- **%s:** %s", it.label, it.show(&t.s)))
	}
	return lines
}

func (t *turn) reviewPost() {
	var b strings.Builder
	b.WriteString("**Please check the ticket before I file it.**\n")
	b.WriteString(strings.Join(t.collected(), "\n"))
	if in := t.s.Intake; in.Packet != nil {
		fmt.Fprintf(&b, "\n- **Support packet:** %s", attachmentLine(*in.Packet))
	}
	if in := t.s.Intake; in.Permalink != "" {
		fmt.Fprintf(&b, "\n- **From:** %s", in.Permalink)
	}
	if routed(t.s.Intake) {
		fmt.Fprintf(&b, "\n\n%s", t.routeNote())
	}
	if len(t.matches()) > 0 {
		fmt.Fprintf(&b, "\n\n%s", t.similarSection())
	}
	t.say(b.String())
	t.ask()
}

func (t *turn) routeNote() string {
	what := "a low-urgency (L4) " + t.s.Intake.Type.String()
	if t.s.Intake.Type == setbot.TypeFeature {
		what = "a feature request"
	}
	if !t.o.Routing {
		return fmt.Sprintf("This is %s, so by the SET process it is not SET's to take, and I have no team to file it with: %s",
			what, Quote(t.o.NotForSET))
	}
	return fmt.Sprintf("This is %s, so by the SET process it goes to %s as a %s, not to SET; SET's part ends there.",
		what, Quote(t.o.RouteTeam), Quote(t.o.RouteIssueType))
}

func (t *turn) reviewButtons() {
	if similar := t.matches(); len(similar) > 0 {
		t.buttons = nil
		for _, is := range similar {
			t.buttons = append(t.buttons, setbot.Button{Label: "Add to " + string(is.Key), Action: "intake:add:" + string(is.Key)})
		}
		t.buttons = append(t.buttons,
			setbot.Button{Label: "File new", Action: "intake:confirm", Style: "primary"},
			setbot.Button{Label: "Cancel", Action: "intake:cancel", Style: "danger"})
		return
	}
	label := "File ticket"
	if t.filesNowhere() {
		label = "Close without a ticket"
	}
	t.buttons = []setbot.Button{
		{Label: label, Action: "intake:confirm", Style: "primary"},
		{Label: "Cancel", Action: "intake:cancel", Style: "danger"},
	}
}

// filesNowhere reports whether confirming files nothing: the intake is not
// SET's and no team to route it to is configured.
func (t *turn) filesNowhere() bool { return routed(t.s.Intake) && !t.o.Routing }

// review handles text at the review step.
func (t *turn) review(text string) {
	word, arg, _ := strings.Cut(strings.TrimSpace(text), " ")
	switch {
	case isYes(text) || strings.EqualFold(text, "file") || strings.EqualFold(text, "file it"):
		t.confirm()
		return
	case len(t.matches()) > 0 && (strings.EqualFold(text, "new") || strings.EqualFold(text, "file new")):
		t.confirm()
		return
	case len(t.matches()) > 0 && strings.EqualFold(word, "add"):
		key := strings.Trim(strings.TrimSpace(arg), "`.!")
		if t.similarIssue(key) != nil {
			t.addTo(key)
			return
		}
		t.say("I can add to %s only.", t.offeredKeys())
	}
	t.ask()
}

// confirm hands the intake over: to SET's filer, or routed to another team.
func (t *turn) confirm() {
	t.s.Intake.Confirmed = t.now
	t.s.Filings++
	t.s.Phase = PhaseFiling
	in := t.s.Intake
	if t.filesNowhere() {
		t.say("%s I did not file anything; your answers are above if you want to copy them.", t.routeNote())
		t.s = State{Version: StateVersion}
		return
	}
	if routed(in) {
		t.say("%s Filing it there now; I'll post the link here.", t.routeNote())
		t.after = append(t.after, Effect{Route: &in})
		return
	}
	t.say("Filing it with SET now; I'll post the link here.")
	t.after = append(t.after, Effect{File: &in})
}

func (t *turn) status() {
	var missing []string
	for _, it := range items {
		if it.name != ItemPacket && it.needed(&t.s) && !it.done(&t.s) && !(it.optional && t.s.skipped(it.name)) {
			missing = append(missing, strings.ToLower(it.label))
		}
	}
	have := t.collected()
	var b strings.Builder
	if len(have) == 0 {
		b.WriteString("I have nothing yet.")
	} else {
		b.WriteString("**What I have:**\n" + strings.Join(have, "\n"))
	}
	if len(missing) > 0 {
		b.WriteString("\n\n**Still needed:** " + strings.Join(missing, ", ") + ".")
	} else {
		b.WriteString("\n\nNothing is missing.")
	}
	t.say(b.String())
}
