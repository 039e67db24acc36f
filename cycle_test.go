package setbot

import (
	"testing"
	"time"
)

func TestParseReportTime(t *testing.T) {
	for in, want := range map[string]ReportTime{
		"Mon 09:00": {time.Monday, 9, 0}, "friday 14:30": {time.Friday, 14, 30}, " SUN  00:00 ": {time.Sunday, 0, 0},
		"Wed 23:59": {time.Wednesday, 23, 59},
	} {
		got, err := ParseReportTime(in)
		if err != nil || got != want {
			t.Errorf("ParseReportTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Mon", "09:00", "Mon 9", "Mon 24:00", "Mon 09:60", "Mon 9:5", "Mo 09:00", "Mon 09:00 UTC"} {
		if _, err := ParseReportTime(in); ErrorCode(err) != EInvalid {
			t.Errorf("ParseReportTime(%q) = %v, want an EInvalid sentence", in, err)
		}
	}
	if s := (ReportTime{time.Friday, 14, 5}).String(); s != "Fri 14:05" {
		t.Errorf("String = %q", s)
	}
}

func TestReportTimeKeepsWallClockAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	start := ReportTime{time.Monday, 9, 0}
	// DST starts in New York on Sunday 2026-03-08: Monday 09:00 is 14:00
	// UTC before and 13:00 UTC after.
	before := start.In(time.Date(2026, 3, 4, 12, 0, 0, 0, ny), ny)
	after := start.In(time.Date(2026, 3, 11, 12, 0, 0, 0, ny), ny)
	if before.UTC().Hour() != 14 || after.UTC().Hour() != 13 {
		t.Errorf("Monday 09:00 = %s and %s UTC, want 14:00 and 13:00", before.UTC(), after.UTC())
	}
	// The Friday of the week whose Sunday switches: still 14:00 local.
	fri := ReportTime{time.Friday, 14, 0}.In(time.Date(2026, 3, 2, 0, 0, 0, 0, ny), ny)
	if fri.Format("Mon 15:04") != "Fri 14:00" || fri.Day() != 6 {
		t.Errorf("Friday hand-over = %s", fri)
	}
	// Sunday 02:30 does not exist on 2026-03-08: still that day, not lost.
	sun := ReportTime{time.Sunday, 2, 30}.In(time.Date(2026, 3, 5, 0, 0, 0, 0, ny), ny)
	if sun.Day() != 8 {
		t.Errorf("Sunday 02:30 in the switch week = %s", sun)
	}
}

func TestDueReport(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	start := ReportTime{time.Monday, 9, 0}
	// DST ends in Berlin on Sunday 2026-10-25; the week of 2026-10-26 is
	// the first in winter time.
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		now    string
		sent   string
		due    bool
		reason ReportReason
		next   string
	}{
		{"before its time", "2026-10-26 08:59", "2026-10-19", false, ReportNotYet, "2026-10-26 09:00"},
		{"at its time", "2026-10-26 09:00", "2026-10-19", true, ReportOnTime, "2026-11-02 09:00"},
		{"a tick later", "2026-10-26 09:04", "", true, ReportOnTime, "2026-11-02 09:00"},
		{"late the same day", "2026-10-26 23:59", "2026-10-19", true, ReportLate, "2026-11-02 09:00"},
		{"claimed already", "2026-10-26 09:01", "2026-10-26", false, ReportSent, "2026-11-02 09:00"},
		{"day over: missed", "2026-10-27 00:00", "2026-10-19", false, ReportMissed, "2026-11-02 09:00"},
		{"Sunday of the switch week", "2026-10-25 12:00", "2026-10-19", false, ReportSent, "2026-10-26 09:00"},
		{"never sent, Sunday", "2026-10-25 12:00", "", false, ReportMissed, "2026-10-26 09:00"},
	}
	for _, tc := range tests {
		d := DueReport(start, berlin, at(tc.now), tc.sent)
		if d.Due != tc.due || d.Reason != tc.reason || !d.Next.Equal(at(tc.next)) {
			t.Errorf("%s: DueReport = due %v, %s, next %s; want due %v, %s, next %s", tc.name, d.Due, d.Reason, d.Next.Format("2006-01-02 15:04 MST"), tc.due, tc.reason, tc.next)
		}
	}
	d := DueReport(start, berlin, at("2026-10-26 10:00"), "")
	if d.Week != "2026-10-26" || !d.At.Equal(at("2026-10-26 09:00")) || d.At.UTC().Hour() != 8 {
		t.Errorf("week %s at %s (UTC %s), want 2026-10-26 09:00 CET = 08:00 UTC", d.Week, d.At, d.At.UTC())
	}
}

// TestDueReportOncePerWeekOverAYear walks a year in 10-minute steps, as a
// timer would, claiming each due report: every week gets exactly one, at
// its local time.
func TestDueReportOncePerWeekOverAYear(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	rt := ReportTime{time.Friday, 14, 0}
	sent, weeks := "", 0
	for now := time.Date(2026, 1, 5, 0, 0, 0, 0, ny); now.Year() == 2026; now = now.Add(10 * time.Minute) {
		d := DueReport(rt, ny, now, sent)
		if !d.Due {
			continue
		}
		if l := now.In(ny); l.Weekday() != time.Friday || l.Hour() != 14 || l.Minute() != 0 {
			t.Fatalf("report due at %s", l)
		}
		sent = d.Week
		weeks++
	}
	// Fridays from 2026-01-09 to 2026-12-25, across both DST switches.
	if weeks != 51 {
		t.Errorf("%d hand-over reports in 2026 from 2026-01-05, want 51", weeks)
	}
}

func TestReportKindText(t *testing.T) {
	for _, k := range ReportKinds {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back ReportKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%s round trip = %v, %v", k, back, err)
		}
	}
	if _, err := ReportNone.MarshalText(); err == nil {
		t.Error("ReportNone marshals")
	}
}
