package chart

import (
	"fmt"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/setbot/setbot"
)

// labelWidth is roughly how many points of the chart's width one week
// label needs, so that labels are thinned out before they overlap.
const labelWidth = 60

// weekAxis is what the panels share about the weeks: how many, the x-axis
// label of each, and the chart's title.
type weekAxis struct {
	n      int
	labels []string
	title  string
}

// newAxis reads the weeks of recs and labels them for a chart width wide:
// every week when they fit, else every second, third, … week.
func newAxis(recs []setbot.WeekRecord, width vg.Length) (weekAxis, error) {
	days := make([]time.Time, len(recs))
	for i, r := range recs {
		d, err := time.Parse(setbot.WeekLayout, r.Week)
		if err != nil {
			return weekAxis{}, fmt.Errorf("chart: week %d: %w", i+1, err)
		}
		days[i] = d
	}
	step := labelStep(len(days), width)
	labels := make([]string, len(days))
	for i, d := range days {
		if (len(days)-1-i)%step == 0 { // always label the newest week
			labels[i] = d.Format("Jan 2")
		}
	}
	return weekAxis{n: len(days), labels: labels, title: span(days[0], days[len(days)-1])}, nil
}

// labelStep is every how many weeks a label fits on a chart width wide.
func labelStep(n int, width vg.Length) int {
	fit := max(int(width/labelWidth), 1)
	return (n + fit - 1) / fit
}

// span is the chart's title, naming the weeks from first to last Monday:
// "SET weeks Nov 2 – Dec 21, 2026".
func span(first, last time.Time) string {
	switch {
	case first.Equal(last):
		return "SET week " + first.Format("Jan 2, 2006")
	case first.Year() == last.Year():
		return "SET weeks " + first.Format("Jan 2") + " – " + last.Format("Jan 2, 2006")
	default:
		return "SET weeks " + first.Format("Jan 2, 2006") + " – " + last.Format("Jan 2, 2006")
	}
}
