package conversations

import (
	"strings"
	"unicode"
)

// reply is what a short typed answer means at a yes/no or "any more?"
// question.
type reply int

const (
	replyOther reply = iota // not a yes, no or done: free text, or a real answer
	replyYes
	replyNo
	replyDone // "that's all": nothing more to add (no at an "any more?" question)
)

// replies is the one word list for yes, no and done, in the normal form
// readReply compares (lower case, punctuation dropped, spaces collapsed,
// typographic apostrophes made plain).
var replies = map[string]reply{
	// yes. "ok" means yes wherever it has no other meaning; where it has
	// one (keep the answer shown), that meaning is a yes too.
	"y": replyYes, "yes": replyYes, "yep": replyYes, "yeah": replyYes, "yup": replyYes, "ya": replyYes,
	"sure": replyYes, "ok": replyYes, "okay": replyYes, "k": replyYes, "keep": replyYes, "keep it": replyYes,
	"correct": replyYes, "right": replyYes, "that's right": replyYes, "thats right": replyYes,
	"start": replyYes, "go": replyYes, "go ahead": replyYes, "confirm": replyYes, "lgtm": replyYes,
	"sounds good": replyYes, "please do": replyYes, "of course": replyYes, "absolutely": replyYes,

	// no
	"n": replyNo, "no": replyNo, "nope": replyNo, "nah": replyNo, "not now": replyNo,
	"wrong": replyNo, "incorrect": replyNo, "not really": replyNo,

	// done
	"done": replyDone, "all done": replyDone, "i'm done": replyDone, "im done": replyDone, "i am done": replyDone,
	"finished": replyDone, "i'm finished": replyDone, "that's all": replyDone, "thats all": replyDone,
	"that is all": replyDone, "that's it": replyDone, "thats it": replyDone, "that is it": replyDone,
	"that's everything": replyDone, "thats everything": replyDone, "that is everything": replyDone,
	"nothing else": replyDone, "nothing more": replyDone, "no more": replyDone, "none left": replyDone,
	"that's all of them": replyDone, "that's all i have": replyDone,
}

// politeEnds are dropped from the end of an answer before it is read:
// "yes please", "no thanks".
var politeEnds = []string{" please", " thanks", " thank you", " thx", " for now"}

// readReply decides whether text is a yes, a no or a "that's all". It
// ignores case, punctuation and surrounding space, and a polite ending
// ("yes please", "no thanks"). A yes or no word followed by a phrase of the
// same sense is that answer: "yes, that's right" is yes, "no, that's
// everything" is no. Anything else is replyOther: callers that expect free
// text only call it where a yes, no or done is asked for.
func readReply(text string) reply {
	n := normalReply(text)
	for _, p := range politeEnds {
		n = strings.TrimSuffix(n, p)
	}
	if r, ok := replies[n]; ok {
		return r
	}
	first, rest, ok := strings.Cut(n, " ")
	if !ok {
		return replyOther
	}
	switch a, b := replies[first], replies[rest]; {
	case a == replyYes && b == replyYes:
		return replyYes
	case a == replyNo && (b == replyNo || b == replyDone):
		return replyNo
	}
	return replyOther
}

// normalReply is text as the replies table spells it.
func normalReply(text string) string {
	text = strings.NewReplacer("’", "'", "‘", "'", "`", "").Replace(strings.ToLower(text))
	text = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' {
			return r
		}
		return ' '
	}, text)
	return strings.Join(strings.Fields(text), " ")
}

// isYes reports a yes to a yes/no question.
func isYes(text string) bool { return readReply(text) == replyYes }

// isNo reports a no to a yes/no question.
func isNo(text string) bool { return readReply(text) == replyNo }

// isDone reports "no more" to an "any more?" question: a done or a no.
func isDone(text string) bool {
	r := readReply(text)
	return r == replyDone || r == replyNo
}
