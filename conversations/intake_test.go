package conversations

import (
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

var testFlow = Flow{Options: Options{RouteTeam: "Product Management", RouteIssueType: "Story", Routing: true}}

func cpuProfile(t testing.TB) []byte {
	t.Helper()
	b, err := artifactstest.CPUProfile()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTranscriptDMMainPath(t *testing.T) {
	steps := []step{
		say("hi there"),
		say("Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade and web app requests time out"),
		click("intake:start"),
		say("ok"),
		say("it's slow"),
		say("server: GET /api/v4/users/me takes 20 s; the web app times out loading channels"),
		say("Acme Corp"),
		say("Acme Corp, about 2,000 of 5,000 users"),
		say("nobody can post during business hours; no workaround"),
		click("intake:type:bug"),
		say("urgent-ish"),
		say("L2"),
		upload("settings.json", []byte(`{"name": "my-app", "version": "1.0.0"}`)),
		say("not available"),
		upload("config.json", []byte(artifactstest.SmallConfig)),
		upload("mattermost.log.gz", artifactstest.TruncatedGzip()),
		upload("mattermost.log", artifactstest.JSONLog(200)),
		say("done"),
		upload("cpu.pprof", artifactstest.PNG()),
		upload("heap.pprof", artifactstest.HeapProfile()),
		upload("cpu.pprof", cpuProfile(t)),
		say("skip"),
		say("confirm"),
		say("hello?"),
		filed("SET-123"),
		say("thanks"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "dm_main_path", got)
	if end.Active() {
		t.Errorf("intake still active after filing")
	}
}

func TestTranscriptThreadStartWithPacket(t *testing.T) {
	packet, err := artifactstest.SupportPacket([]byte(artifactstest.SmallConfig))
	if err != nil {
		t.Fatal(err)
	}
	steps := []step{
		start("Users are stuck: the server hangs every morning at 9 and needs a restart.\nSeen on three nodes, @channel FYI."),
		say("Server hangs every morning at 9 until restarted"),
		say("server: all API requests hang, websocket too"),
		say("Globex, all 800 users"),
		say("nobody can use Mattermost for about 20 minutes"),
		say("bug"),
		click("intake:priority:L1"),
		upload("mattermost_support_packet.zip", packet),
		say("yes"),
		click("intake:confirm"),
		queued("Jira answered 503 Service Unavailable"),
		filed("SET-124"),
		filed("SET-124"),
	}
	got, _ := run(t, testFlow, steps)
	golden(t, "thread_start_packet", got)
}

func TestTranscriptPacketRejected(t *testing.T) {
	packet, err := artifactstest.SupportPacket([]byte(artifactstest.SmallConfig))
	if err != nil {
		t.Fatal(err)
	}
	steps := []step{
		say("new"),
		say("yes"),
		upload("mattermost_support_packet.zip", packet),
		say("maybe"),
		say("no"),
		say("status"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "packet_rejected", got)
	in := end.Intake
	if in.Version != "" || in.Config != nil || len(in.Logs) != 0 || len(in.Profiles) != 0 || in.Packet == nil {
		t.Errorf("rejected packet facts kept: %+v", in)
	}
}

func TestTranscriptCommands(t *testing.T) {
	long := strings.Repeat("All posts vanish after the upgrade and come back on reload. ", 8)
	details := strings.Repeat("step: open the channel; see **nothing** @here\n", 1000)
	steps := []step{
		say("new"),
		say("status"),
		click("intake:start"),
		say("status"),
		say("skip"),
		say("back"),
		say("@channel " + long + "\nmore lines [link](http://x)"),
		say("web app: the channel view after switching teams"),
		say("back"),
		say("ok"),
		say("Initech, 300 users"),
		say("they cannot read their messages"),
		say("question"),
		say("L3"),
		say("ten"),
		say("v9.5"),
		say("postgres"),
		say("13"),
		say("help"),
		say("not available: customer policy forbids sharing it"),
		upload("logs.zip", artifactstest.ZipBomb()),
		upload("logs.zip", artifactstest.Zip(artifactstest.Entry{Name: "mattermost.log", Data: artifactstest.PlainLog(30)})),
		say("skip"),
		say("none"),
		say(details),
		say("edit version"),
		say("10.5 ESR"),
		say("edit logs"),
		upload("mattermost.log", artifactstest.JSONLog(5)),
		click("intake:done"),
		say("edit nonsense"),
		click("intake:priority:L2"),
		say("cancel"),
		click("intake:confirm"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "commands", got)
	if end.Active() {
		t.Error("still active after cancel")
	}
}

func TestTranscriptRoutedFeature(t *testing.T) {
	steps := []step{
		say("I need to escalate a customer request for custom emoji in channel headers"),
		say("yes"),
		say("Allow custom emoji in channel headers"),
		say("web app: the channel header editor"),
		say("Initech, all 300 users"),
		say("they cannot use their emoji in headers"),
		click("intake:type:feature"),
		say("L3"),
		say("skip"),
		say("file it"),
		filed("PM-77"),
	}
	got, _ := run(t, testFlow, steps)
	golden(t, "routed_feature", got)
}

// TestTranscriptNotForSETWithoutRouting: with no team to route to, a
// feature request is filed nowhere: the person is told whom to ask, and
// the intake ends.
func TestTranscriptNotForSETWithoutRouting(t *testing.T) {
	steps := []step{
		say("I need to escalate a customer request for custom emoji in channel headers"),
		say("yes"),
		say("Allow custom emoji in channel headers"),
		say("web app: the channel header editor"),
		say("Initech, all 300 users"),
		say("they cannot use their emoji in headers"),
		click("intake:type:feature"),
		say("L3"),
		say("skip"),
		say("confirm"),
	}
	flow := Flow{Options: Options{NotForSET: "ask Product Management in ~product-requests."}}
	got, s := run(t, flow, steps)
	golden(t, "not_for_set", got)
	if s.Active() || strings.Contains(got, "ROUTE") || strings.Contains(got, "FILE") {
		t.Errorf("without routing the intake must end with nothing filed; state %+v", s)
	}
}

func TestTranscriptRemindersAndExpiry(t *testing.T) {
	steps := []step{
		say("ticket"),
		tick(time.Hour),
		say("start"),
		say("Search returns nothing for older posts"),
		tick(3 * time.Hour),
		tick(time.Hour),
		say("web app: search for messages older than 30 days"),
		tick(4 * time.Hour),
		tick(10 * time.Hour),
		tick(10 * time.Hour),
		say("hello"),
		say("ticket"),
		tick(4 * time.Hour),
		say("yes"),
	}
	flow := testFlow // a short expiry, so that the transcript reaches it
	flow.Options.ExpireAfter = 20 * time.Hour
	got, _ := run(t, flow, steps)
	golden(t, "reminders_expiry", got)
}

func TestTranscriptFilesAndFailures(t *testing.T) {
	steps := []step{
		upload("goroutines.pprof", artifactstest.Profile("goroutine", 0)),
		upload("cpu.pprof", cpuProfile(t)),
		say("yes"),
		say("ok"),
		say("High CPU on the server after enabling the Jira plugin"),
		say("server: the plugin's webhook handler"),
		say("Hooli, 40 users"),
		say("they lose Jira notifications"),
		say("bug"),
		say("L3"),
		say("11.0.0-rc2"),
		say("MySQL 8.0.32"),
		upload("heap.txt", artifactstest.Profile("heap", 1)),
		upload("empty.log", nil),
		say("n/a because the server is air-gapped"),
		say("not available: only the customer can reach the server"),
		say("Steps: enable the Jira plugin, send 100 webhooks"),
		start("another thread's problem"),
		say("confirm"),
		failed("Jira refused the issue type: ask an admin to check the SET project's configuration."),
		say("confirm"),
		filed("SET-200"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "files_failures", got)
	if end.Filings != 0 || end.Active() {
		t.Errorf("end state: %+v", end)
	}
}

func TestFileKeyChangesOnRetry(t *testing.T) {
	s := reviewState(t)
	s1, eff, _ := testFlow.Step(s, Input{Kind: Click, Action: tagged("intake:confirm", s)}, t0)
	k1 := s1.FileKey()
	if len(eff) != 2 || eff[1].File == nil {
		t.Fatalf("confirm effects: %+v", eff)
	}
	s2, _, _ := testFlow.Step(s1, Input{Kind: Click, Action: tagged("intake:confirm", s)}, t0)
	if s2.Filings != s1.Filings {
		t.Error("a second confirm while filing handed the intake over again")
	}
	s3, _, _ := testFlow.Step(s2, Input{Kind: FilingFailed, Reason: "Jira said no."}, t0)
	s4, eff, _ := testFlow.Step(s3, Input{Kind: Text, Text: "confirm"}, t0)
	if s4.FileKey() == k1 || eff[len(eff)-1].File == nil || eff[len(eff)-1].File.ID != s1.Intake.ID {
		t.Errorf("retry: key %q (was %q), effects %+v", s4.FileKey(), k1, eff)
	}
}

// reviewState plays a short intake to its review.
func reviewState(t testing.TB) State {
	t.Helper()
	_, s := run(t, testFlow, []step{
		say("ticket"), say("yes"), say("Login fails with 500 for LDAP users"), say("server: POST /api/v4/users/login"),
		say("Acme, 50 users"), say("LDAP users cannot log in"), say("bug"), say("L2"), say("10.11.4"), say("PostgreSQL 15"),
		upload("config.json", []byte(artifactstest.SmallConfig)), upload("mattermost.log", artifactstest.JSONLog(3)), say("done"),
		say("none"), say("skip"),
	})
	if s.Phase != PhaseReview {
		t.Fatalf("phase %s, current %s", s.Phase, s.Current)
	}
	return s
}

func TestStepRefusesUnknownVersion(t *testing.T) {
	s := State{Version: StateVersion + 1, Phase: PhaseAsking}
	if _, _, err := Step(s, Input{Kind: Text, Text: "hi"}, t0); err == nil {
		t.Error("unknown version accepted")
	}
}

func TestNextTick(t *testing.T) {
	s := reviewState(t)
	if got := s.NextTick(); !got.Equal(s.LastActive.Add(DefaultRemindAfter)) {
		t.Errorf("NextTick = %v, last active %v", got, s.LastActive)
	}
	s, _, _ = Step(s, Input{Kind: Text, Text: "confirm"}, t0)
	if !s.NextTick().IsZero() {
		t.Errorf("NextTick while filing = %v", s.NextTick())
	}
	var idle State
	if !idle.NextTick().IsZero() || idle.Active() {
		t.Error("zero state is active or has a tick")
	}
}

// TestClickWithTextFallback: every button has a text that does the same.
func TestClickWithTextFallback(t *testing.T) {
	fallback := map[string]string{
		"intake:start": "yes", "intake:dismiss": "no", "intake:keep": "ok", "intake:type:bug": "bug",
		"intake:type:feature": "feature request", "intake:type:question": "question", "intake:priority:L1": "L1",
		"intake:priority:L2": "L2", "intake:priority:L3": "L3", "intake:priority:L4": "L4", "intake:symptom:cpu": "high cpu",
		"intake:symptom:memory": "memory", "intake:symptom:hang": "stuck", "intake:symptom:none": "none", "intake:done": "done",
		"intake:packet:yes": "yes", "intake:packet:no": "no", "intake:confirm": "confirm", "intake:cancel": "cancel", "intake:skip": "skip",
	}
	base := reviewState(t)
	at := func(phase Phase, cur Item, edit func(*State)) State {
		s := base.clone()
		s.Phase, s.Current = phase, cur
		if edit != nil {
			edit(&s)
		}
		return s
	}
	states := map[string]State{
		"start": at(PhaseOffered, "", nil), "dismiss": at(PhaseOffered, "", nil),
		"keep":     at(PhaseAsking, ItemSummary, func(s *State) { s.DraftPending = true }),
		"type":     at(PhaseAsking, ItemType, func(s *State) { s.Intake.Type = setbot.TypeUnset }),
		"priority": at(PhaseAsking, ItemPriority, func(s *State) { s.Intake.Priority = setbot.PriorityUnset }),
		"symptom":  at(PhaseAsking, ItemSymptom, func(s *State) { s.SymptomSet = false }),
		"done":     at(PhaseAsking, ItemLogs, func(s *State) { s.LogsDone = false }),
		"packet": at(PhaseAsking, ItemPacket, func(s *State) {
			s.PacketPending, s.FromPacket = true, []Item{ItemVersion}
		}),
		"confirm": at(PhaseReview, "", nil), "cancel": at(PhaseReview, "", nil),
		"skip": at(PhaseAsking, ItemDetails, func(s *State) { s.DetailsDone = false }),
	}
	seen := map[string]bool{}
	for _, it := range items {
		for _, sym := range []setbot.Symptom{setbot.SymptomNone, setbot.SymptomCPU} {
			s := State{Intake: setbot.Intake{Symptom: sym, Logs: []setbot.Attachment{{}}}, DraftPending: true, SymptomSet: true}
			_, buttons := it.ask(&s)
			for _, b := range buttons {
				seen[b.Action] = true
			}
		}
	}
	seen["intake:start"], seen["intake:dismiss"], seen["intake:confirm"], seen["intake:cancel"] = true, true, true, true
	for action := range seen {
		text, ok := fallback[action]
		if !ok {
			t.Errorf("button %s has no text fallback listed", action)
			continue
		}
		kind, _, _ := strings.Cut(strings.TrimPrefix(action, "intake:"), ":")
		s, ok := states[kind]
		if !ok {
			t.Fatalf("no state for %s", action)
		}
		byClick, e1, err1 := testFlow.Step(s, Input{Kind: Click, Action: tagged(action, s)}, t0)
		byText, e2, err2 := testFlow.Step(s, Input{Kind: Text, Text: text}, t0)
		if err1 != nil || err2 != nil || normal(byClick) != normal(byText) || len(e1) != len(e2) {
			t.Errorf("%s and %q differ:\nclick %s\ntext  %s", action, text, normal(byClick), normal(byText))
		}
	}
}

// TestOldIntakeButtonsDoNothing: a "File ticket" button of an earlier
// intake, or one without an intake tag, never confirms the current one.
func TestOldIntakeButtonsDoNothing(t *testing.T) {
	s := reviewState(t)
	for _, action := range []string{"intake:confirm" + intakeTag + "u-alice-1", "intake:confirm"} {
		next, eff, err := testFlow.Step(s, Input{Kind: Click, Action: action, User: alice}, t0)
		if err != nil || normal(next) != normal(s) {
			t.Errorf("%s changed the intake (err %v)", action, err)
		}
		if len(eff) != 1 || eff[0].Say == nil || !strings.Contains(eff[0].Say.Text, "earlier conversation") {
			t.Errorf("%s: effects %+v, want one sentence saying the button is old", action, eff)
		}
	}
	next, eff, _ := testFlow.Step(s, Input{Kind: Click, Action: tagged("intake:confirm", s), User: alice}, t0)
	if next.Phase != PhaseFiling || len(eff) != 2 || eff[1].File == nil {
		t.Errorf("the current intake's own button did not file it: %+v", eff)
	}
}
