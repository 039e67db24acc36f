// Package chart draws the SET rotation's weekly records as a PNG image, for
// the hand-over report and `@setbot stats` (issue 16). It is the only
// package of setbot that uses gonum.org/v1/plot; the fonts it draws with are
// embedded in that module, so drawing reads no files and the same records
// always give the same bytes.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/setbot/setbot"
)

// DefaultWidth and DefaultHeight are the size, in pixels, callers should ask
// for unless they have a reason not to.
const DefaultWidth, DefaultHeight = 900, 900

// MinSize and MaxSize bound the width and the height, in pixels: below
// MinSize the three panels do not fit, above MaxSize the image is too big to
// post.
const MinSize, MaxSize = 300, 4000

// The image is drawn at a resolution in proportion to its size, between
// minDPI and maxDPI, so text stays readable on small images and in
// proportion on large ones; at the default size it is 96 dots per inch.
const minDPI, maxDPI = 64, 192

// Weeks draws recs (oldest first) as one PNG of width×height pixels with
// three panels stacked vertically: the tickets filed per week, stacked by
// level; the median and p90 time to the first SET response, in hours; and
// the L1/L2 update compliance, in percent. Weeks with nothing measured are
// gaps in the lines, not zeros. The x axis is labelled with the weeks'
// Mondays and the title names the span.
//
// It returns an error for an empty recs, for a week that is not a date in
// setbot.WeekLayout, and for a width or height outside MinSize–MaxSize.
func Weeks(recs []setbot.WeekRecord, width, height int) ([]byte, error) {
	if len(recs) == 0 {
		return nil, errors.New("chart: no weeks to draw")
	}
	if err := checkSize(width, height); err != nil {
		return nil, err
	}
	res := dpi(width, height)
	ax, err := newAxis(recs, vg.Length(width)*vg.Inch/vg.Length(res))
	if err != nil {
		return nil, err
	}
	panels := []panel{tickets(recs, ax), response(recs, ax), compliance(recs, ax)}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	c := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(res))
	drawAll(draw.New(c), ax.title, panels)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// checkSize reports whether width×height pixels is a size Weeks draws.
func checkSize(width, height int) error {
	if width < MinSize || height < MinSize || width > MaxSize || height > MaxSize {
		return fmt.Errorf("chart: size %d×%d pixels: width and height must be %d–%d", width, height, MinSize, MaxSize)
	}
	return nil
}

// dpi is the resolution to draw a width×height image at.
func dpi(width, height int) int {
	return min(max(96*min(width, height)/DefaultWidth, minDPI), maxDPI)
}

// drawAll draws the title across the top of dc and the panels stacked
// below it, their data areas aligned and a margin on the right for their
// legends.
func drawAll(dc draw.Canvas, title string, panels []panel) {
	dc.SetColor(background)
	dc.Fill(dc.Rectangle.Path())
	sty := textStyle(titleSize, true)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - margin}, title)

	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p.Plot}
	}
	tiles := draw.Tiles{
		Rows: len(panels), Cols: 1,
		PadTop:    2*margin + sty.Rectangle(title).Size().Y,
		PadBottom: margin, PadLeft: margin,
		PadRight: legendMargin(panels),
		PadY:     margin,
	}
	canvases := plot.Align(rows, tiles, dc)
	for i, p := range panels {
		p.fitBars(canvases[i][0])
		p.Draw(canvases[i][0])
	}
}
