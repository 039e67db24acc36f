package chart

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// eightWeeks is eight weeks of records, Nov 2 to Dec 21 2026, with a week
// that measured no response and one without incident-days among them.
func eightWeeks() []setbot.WeekRecord {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	recs := make([]setbot.WeekRecord, 8)
	for i := range recs {
		recs[i] = setbot.WeekRecord{
			Week:  start.AddDate(0, 0, 7*i).Format(setbot.WeekLayout),
			Filed: [5]int{i % 3, i % 2, 2, i, 1},
			FirstResponse: setbot.Spread{
				N:      3 + i,
				Median: time.Duration(20+5*i) * time.Minute,
				P90:    time.Duration(2+i%4) * time.Hour,
			},
			IncidentDays: 4,
			UpdatedDays:  i % 5,
		}
	}
	recs[3].FirstResponse = setbot.Spread{}
	recs[5].IncidentDays, recs[5].UpdatedDays = 0, 0
	return recs
}

// mustDraw is Weeks that fails t on an error.
func mustDraw(t *testing.T, recs []setbot.WeekRecord, w, h int) []byte {
	t.Helper()
	b, err := Weeks(recs, w, h)
	if err != nil {
		t.Fatalf("Weeks: %v", err)
	}
	return b
}

func TestWeeksSize(t *testing.T) {
	for _, size := range [][2]int{{DefaultWidth, DefaultHeight}, {MinSize, MinSize}, {1200, 500}, {301, 799}} {
		b := mustDraw(t, eightWeeks(), size[0], size[1])
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%v: decode: %v", size, err)
		}
		if got := img.Bounds().Size(); got.X != size[0] || got.Y != size[1] {
			t.Errorf("%v: image is %v", size, got)
		}
	}
}

func TestWeeksDeterministic(t *testing.T) {
	a := mustDraw(t, eightWeeks(), DefaultWidth, DefaultHeight)
	b := mustDraw(t, eightWeeks(), DefaultWidth, DefaultHeight)
	if !bytes.Equal(a, b) {
		t.Error("the same weeks drew different bytes")
	}
}

func TestWeeksDiffer(t *testing.T) {
	base := mustDraw(t, eightWeeks(), DefaultWidth, DefaultHeight)
	if eightWeeks()[0].Filed[1] != 0 {
		t.Fatal("the first week already has L1 tickets")
	}
	change := map[string]func(*setbot.WeekRecord){
		"5 L1 tickets":    func(r *setbot.WeekRecord) { r.Filed[1] = 5 },
		"slower response": func(r *setbot.WeekRecord) { r.FirstResponse.P90 += 3 * time.Hour },
		"no response":     func(r *setbot.WeekRecord) { r.FirstResponse.N = 0 },
		"all updated":     func(r *setbot.WeekRecord) { r.UpdatedDays = r.IncidentDays },
	}
	for name, f := range change {
		recs := eightWeeks()
		f(&recs[0])
		if bytes.Equal(mustDraw(t, recs, DefaultWidth, DefaultHeight), base) {
			t.Errorf("%s in the first week drew the same image", name)
		}
	}
}

func TestWeeksNothingMeasured(t *testing.T) {
	recs := []setbot.WeekRecord{{Week: "2026-11-02"}, {Week: "2026-11-09"}}
	a := mustDraw(t, recs, DefaultWidth, DefaultHeight)
	b := mustDraw(t, recs[:1], DefaultWidth, DefaultHeight)
	for _, img := range [][]byte{a, b} {
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("decode: %v", err)
		}
	}
}

func TestWeeksErrors(t *testing.T) {
	for name, c := range map[string]struct {
		recs []setbot.WeekRecord
		w, h int
	}{
		"no weeks":    {nil, DefaultWidth, DefaultHeight},
		"narrow":      {eightWeeks(), MinSize - 1, DefaultHeight},
		"low":         {eightWeeks(), DefaultWidth, MinSize - 1},
		"zero":        {eightWeeks(), 0, 0},
		"negative":    {eightWeeks(), -900, 900},
		"huge":        {eightWeeks(), MaxSize + 1, DefaultHeight},
		"not a date":  {[]setbot.WeekRecord{{Week: "week 47"}}, DefaultWidth, DefaultHeight},
		"empty week":  {[]setbot.WeekRecord{{}}, DefaultWidth, DefaultHeight},
		"bad in tail": {append(eightWeeks(), setbot.WeekRecord{Week: "2026-13-01"}), DefaultWidth, DefaultHeight},
	} {
		if b, err := Weeks(c.recs, c.w, c.h); err == nil {
			t.Errorf("%s: no error, %d bytes", name, len(b))
		}
	}
}

func TestSpan(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(setbot.WeekLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct{ first, last, want string }{
		{"2026-11-02", "2026-12-21", "SET weeks Nov 2 – Dec 21, 2026"},
		{"2026-12-28", "2027-02-15", "SET weeks Dec 28, 2026 – Feb 15, 2027"},
		{"2026-11-02", "2026-11-02", "SET week Nov 2, 2026"},
	} {
		if got := span(day(c.first), day(c.last)); got != c.want {
			t.Errorf("span(%s, %s) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
}

func TestLabelsThinOut(t *testing.T) {
	recs := make([]setbot.WeekRecord, 52)
	for i := range recs {
		recs[i].Week = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*i).Format(setbot.WeekLayout)
	}
	ax, err := newAxis(recs, 300)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range ax.labels {
		if l != "" {
			n++
		}
	}
	if n == 0 || n > 300/labelWidth {
		t.Errorf("%d of 52 weeks labelled on 300 points", n)
	}
	if ax.labels[51] != "Dec 28" {
		t.Errorf("newest week labelled %q, want Dec 28", ax.labels[51])
	}
	mustDraw(t, recs, MinSize, MinSize)
}

func TestRuns(t *testing.T) {
	ys := gaps(6)
	ys[0], ys[1], ys[3] = 1, 2, 4
	got := runs(ys)
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 1 || got[1][0].X != 3 || got[1][0].Y != 4 {
		t.Errorf("runs = %v", got)
	}
}

func BenchmarkWeeks(b *testing.B) {
	recs := eightWeeks()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Weeks(recs, DefaultWidth, DefaultHeight); err != nil {
			b.Fatal(err)
		}
	}
}
