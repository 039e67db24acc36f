package conversations

import (
	"strings"
	"testing"
)

// BenchmarkStepAnswer is one typed answer in the middle of an intake (the
// customer question), as the dispatcher runs it: the state comes in, the
// next question goes out.
func BenchmarkStepAnswer(b *testing.B) {
	_, s := run(b, testFlow, []step{say("ticket"), say("yes"), say("Login fails with 500 for LDAP users"), say("server: POST /api/v4/users/login")})
	if s.Current != ItemCustomer {
		b.Fatalf("at %s", s.Current)
	}
	in := Input{Kind: Text, Text: "Acme Corp, about 2,000 of 5,000 users", User: alice, Username: aliceN}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := testFlow.Step(s, in, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepReview is the heaviest step: the last answer, which builds
// the review post of everything collected, with long details.
func BenchmarkStepReview(b *testing.B) {
	s := reviewState(b)
	s, _, _ = testFlow.Step(s, Input{Kind: Text, Text: "edit details"}, t0)
	in := Input{Kind: Text, Text: strings.Repeat("step: open the channel; see **nothing** @here\n", 200)}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := testFlow.Step(s, in, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuote is the escaping every echoed answer goes through.
func BenchmarkQuote(b *testing.B) {
	text := "@channel the **web app** shows `undefined` in [channel](x) headers; #2 of 3 | see ~town-square"
	b.ReportAllocs()
	for b.Loop() {
		_ = Quote(text)
	}
}
