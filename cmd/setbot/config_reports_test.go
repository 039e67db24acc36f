package main

import (
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

func TestReportsConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	start, handover, err := c.ReportTimes()
	if err != nil || start == nil || *start != setbot.DefaultStartReport || handover == nil || *handover != setbot.DefaultHandoverReport {
		t.Fatalf("defaults: %v %v %v, want Mon 09:00 and Fri 14:00", start, handover, err)
	}
	c, err = LoadConfig(writeConfig(t, goodConfig+"\n[reports]\nstart = \"tuesday 10:30\"\nhandover = \"\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	start, handover, _ = c.ReportTimes()
	if start == nil || *start != (setbot.ReportTime{Day: time.Tuesday, Hour: 10, Minute: 30}) || handover != nil {
		t.Errorf("start %v, handover %v; want Tue 10:30 and off", start, handover)
	}
	for text, want := range map[string]string{
		"[reports]\nstart = \"Mon 9am\"\n":      `reports.start: "Mon 9am" is not a time of the week: write a weekday and a 24-hour time, like "Mon 09:00" or "Friday 14:30". Use "" to turn this report off.`,
		"[reports]\nhandover = \"Fri 25:00\"\n": `reports.handover: "Fri 25:00" is not a time of the week`,
		"[reports]\nweekly = \"Mon 09:00\"\n":   "unknown key reports.weekly",
	} {
		_, err := LoadConfig(writeConfig(t, goodConfig+"\n"+text), noEnv)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", text, err, want)
		}
	}
}
