package chart

import (
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Font sizes and spacing, in points.
const (
	titleSize = 14
	panelSize = 11
	tickSize  = 9
	margin    = vg.Length(8)
)

// barShare is the share of a week's width its bar takes, up to maxBar
// points.
const (
	barShare = 0.7
	maxBar   = vg.Length(48)
)

var (
	background = color.White
	gridColor  = color.Gray{Y: 200}
	// levelColors are the fills of "no level" and L1–L4, by Filed index:
	// the more urgent, the hotter.
	levelColors = [5]color.Color{
		color.RGBA{R: 160, G: 160, B: 160, A: 255},
		color.RGBA{R: 200, G: 30, B: 30, A: 255},
		color.RGBA{R: 240, G: 130, B: 20, A: 255},
		color.RGBA{R: 230, G: 200, B: 40, A: 255},
		color.RGBA{R: 60, G: 120, B: 200, A: 255},
	}
	medianColor = color.RGBA{R: 30, G: 100, B: 190, A: 255}
	p90Color    = color.RGBA{R: 200, G: 60, B: 40, A: 255}
	shareColor  = color.RGBA{R: 30, G: 140, B: 70, A: 255}
)

// textStyle is the embedded Liberation Sans at size points, bold or not.
func textStyle(size vg.Length, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{
		Color:   color.Black,
		Font:    font.From(f, size),
		Handler: plot.DefaultTextHandler,
	}
}

// panel is one of the chart's plots, and its bars, whose width is only
// known once the plot is placed.
type panel struct {
	*plot.Plot
	bars []*plotter.BarChart
}

// newPanel is an empty panel titled title with the weeks of ax along its x
// axis, horizontal grid lines, and its legend at the top, which
// legendMargin moves to the right of the data.
func newPanel(title string, ax weekAxis) panel {
	p := plot.New()
	p.BackgroundColor = nil // drawAll paints the whole image
	p.Title.Text = title
	p.Title.TextStyle = withAlign(textStyle(panelSize, true), p.Title.TextStyle)
	p.Title.Padding = margin / 2
	p.X.Tick.Label = withAlign(textStyle(tickSize, false), p.X.Tick.Label)
	p.Y.Tick.Label = withAlign(textStyle(tickSize, false), p.Y.Tick.Label)
	p.Legend.TextStyle = textStyle(tickSize, false)
	p.Legend.Top = true
	p.Legend.Padding = margin / 4
	p.NominalX(ax.labels...)
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	return panel{Plot: p}
}

// withAlign is sty aligned as old is.
func withAlign(sty, old text.Style) text.Style {
	sty.XAlign, sty.YAlign = old.XAlign, old.YAlign
	return sty
}

// setRange fixes the axes of p: every week of ax one unit wide, and y from
// 0 to at least ymax.
func (p panel) setRange(ax weekAxis, ymax float64) {
	p.X.Min, p.X.Max = -0.5, float64(ax.n)-0.5
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, ymax)
}

// wholeTicks are the default ticks with labels on whole numbers only, for
// counts.
var wholeTicks = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Value != math.Trunc(t.Value) {
			ticks[i].Label = ""
		}
	}
	return ticks
})

// legendMargin is the room on the right that the widest legend of panels
// needs, and moves each legend there, out of the way of the data.
func legendMargin(panels []panel) vg.Length {
	var widest vg.Length
	for _, p := range panels {
		widest = max(widest, p.Legend.Rectangle(draw.Canvas{}).Size().X)
	}
	for _, p := range panels {
		p.Legend.XOffs = widest + margin
	}
	return widest + 2*margin
}

// fitBars makes the bars of p barShare of a week wide, now that p is placed
// on c.
func (p panel) fitBars(c draw.Canvas) {
	data := p.DataCanvas(c)
	week := (data.Max.X - data.Min.X) / vg.Length(p.X.Max-p.X.Min)
	for _, b := range p.bars {
		b.Width = min(week*barShare, maxBar)
	}
}
