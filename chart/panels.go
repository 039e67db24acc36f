package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/setbot/setbot"
)

// levelNames name the Filed indexes in the legend.
var levelNames = [5]string{"no level", "L1", "L2", "L3", "L4"}

// stackOrder is the order the levels are stacked in, from the bottom.
var stackOrder = [5]int{1, 2, 3, 4, 0}

// tickets is the panel of the tickets filed each week, stacked by level
// with L1 at the bottom; its legend lists the levels top down as stacked.
func tickets(recs []setbot.WeekRecord, ax weekAxis) panel {
	p := newPanel("Tickets filed", ax)
	p.Y.Tick.Marker = wholeTicks
	var below *plotter.BarChart
	for _, lvl := range stackOrder {
		b := &plotter.BarChart{
			Values:    make(plotter.Values, len(recs)),
			Width:     1, // fitBars sets it once the panel is placed
			Color:     levelColors[lvl],
			LineStyle: draw.LineStyle{Color: background, Width: vg.Points(0.5)},
		}
		for i, r := range recs {
			b.Values[i] = float64(r.Filed[lvl])
		}
		if below != nil {
			b.StackOn(below)
		}
		p.Add(b)
		p.bars = append(p.bars, b)
		below = b
	}
	for i, lvl := range slices.Backward(stackOrder[:]) {
		p.Legend.Add(levelNames[lvl], p.bars[i])
	}
	p.setRange(ax, 4)
	return p
}

// response is the panel of the median and p90 time to the first SET
// response each week, in hours; weeks with nothing measured are gaps.
func response(recs []setbot.WeekRecord, ax weekAxis) panel {
	p := newPanel("Time to first SET response (hours)", ax)
	median, p90 := gaps(len(recs)), gaps(len(recs))
	for i, r := range recs {
		if s := r.FirstResponse; s.N > 0 {
			median[i], p90[i] = s.Median.Hours(), s.P90.Hours()
		}
	}
	p.series("p90", p90, p90Color, draw.TriangleGlyph{})
	p.series("median", median, medianColor, draw.CircleGlyph{})
	p.setRange(ax, 1)
	return p
}

// compliance is the panel of the share of L1/L2 incident-days with a
// status update each week, in percent; weeks without incident-days are
// gaps.
func compliance(recs []setbot.WeekRecord, ax weekAxis) panel {
	p := newPanel("L1/L2 update compliance (%)", ax)
	pct := gaps(len(recs))
	for i, r := range recs {
		if share, ok := r.Compliance(); ok {
			pct[i] = 100 * share
		}
	}
	p.series("", pct, shareColor, draw.CircleGlyph{})
	p.setRange(ax, 100)
	return p
}

// gaps is n weeks with nothing measured yet, as NaN.
func gaps(n int) []float64 {
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = math.NaN()
	}
	return ys
}

// series adds ys, one value a week, as points joined by lines that break
// at NaN, and names it in the legend unless name is empty.
func (p panel) series(name string, ys []float64, c color.Color, glyph draw.GlyphDrawer) {
	line := draw.LineStyle{Color: c, Width: vg.Points(1.5)}
	dots := &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: glyph}}
	for _, run := range runs(ys) {
		if len(run) > 1 {
			p.Add(&plotter.Line{XYs: run, LineStyle: line})
		}
		dots.XYs = append(dots.XYs, run...)
	}
	if len(dots.XYs) > 0 {
		p.Add(dots)
	}
	if name != "" {
		p.Legend.Add(name, &plotter.Line{LineStyle: line}, dots)
	}
}

// runs splits ys, one value a week, into the runs of weeks with a value,
// each point at its week's x.
func runs(ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var run plotter.XYs
	for i, y := range ys {
		if math.IsNaN(y) {
			if len(run) > 0 {
				out = append(out, run)
			}
			run = nil
			continue
		}
		run = append(run, plotter.XY{X: float64(i), Y: y})
	}
	if len(run) > 0 {
		out = append(out, run)
	}
	return out
}
