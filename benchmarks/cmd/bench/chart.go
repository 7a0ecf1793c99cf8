package main

import (
	"fmt"
	"image/color"
	"math"
	"os"

	"github.com/duoredis/redis/benchmarks/internal/workload"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var palette = map[string]color.RGBA{
	"duoredis":              {R: 0x1f, G: 0x4e, B: 0xb4, A: 0xff},
	"duoredis+hiredis":      {R: 0x4f, G: 0xa8, B: 0xe8, A: 0xff},
	"duoredis pool only":    {R: 0x12, G: 0x2a, B: 0x5e, A: 0xff},
	"go-redis":              {R: 0xf0, G: 0x8c, B: 0x2e, A: 0xff},
	"go-redis AutoPipeline": {R: 0xc6, G: 0x2d, B: 0x2d, A: 0xff},
	"rueidis":               {R: 0x3a, G: 0x9a, B: 0x3a, A: 0xff},
	"redigo":                {R: 0x8c, G: 0x6b, B: 0xb1, A: 0xff},
}

// chart draws one panel per placement, one above the other: grouped bars,
// one group per workload and one bar per client, each the median of the
// per-round ratios to redis-benchmark, so workloads of different scales
// share one axis; a dashed line marks redis-benchmark = 1.
func (rep *report) chart(path string) error {
	var clients []string
	for _, c := range rep.Clients {
		if c != rbName {
			clients = append(clients, c)
		}
	}
	if len(clients) == 0 || len(rep.Workloads) == 0 || len(rep.Placements) == 0 {
		return nil
	}
	const width, height = 15 * vg.Inch, 6.5 * vg.Inch
	img := vgimg.New(width, height*vg.Length(len(rep.Placements)))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rep.Placements), Cols: 1}
	for i, pl := range rep.Placements {
		p, err := rep.panel(pl, clients)
		if err != nil {
			return err
		}
		p.Draw(tiles.At(dc, 0, i))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// panel is the chart of one placement.
func (rep *report) panel(pl placement, clients []string) (*plot.Plot, error) {
	const width = 15 * vg.Inch
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: ops/s relative to redis-benchmark on the same server (= 1.0); median of %d rounds, %s\n%s",
		pl.Name, rep.Rounds, rep.Date.Format("2006-01-02"), pl.Desc)
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(10)
	p.Y.Label.Text = "ops/s ÷ redis-benchmark ops/s"
	p.Y.Min = 0
	var labels []string
	for _, wl := range rep.Workloads {
		labels = append(labels, workload.Titles[wl])
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Font.Size = vg.Points(11)
	p.Add(plotter.NewGrid())

	groupWidth := (width - 1.2*vg.Inch) / vg.Length(len(rep.Workloads)) * 0.82
	barWidth := groupWidth / vg.Length(len(clients))
	top := 1.0
	for i, c := range clients {
		vals := make(plotter.Values, len(rep.Workloads))
		var xys plotter.XYs
		var texts []string
		for j, wl := range rep.Workloads {
			v := math.NaN()
			if st, ok := rep.stat(pl.Name, wl, c); ok {
				v = st.VsRB
			}
			if math.IsNaN(v) {
				vals[j] = 0
				continue
			}
			vals[j] = v
			top = math.Max(top, v)
			xys = append(xys, plotter.XY{X: float64(j), Y: v})
			texts = append(texts, fmt.Sprintf("%.2f", v))
		}
		bars, err := plotter.NewBarChart(vals, barWidth*0.92)
		if err != nil {
			return nil, err
		}
		bars.Color = palette[c]
		bars.LineStyle.Width = 0
		bars.Offset = (vg.Length(i) - vg.Length(len(clients)-1)/2) * barWidth
		p.Add(bars)
		p.Legend.Add(c, bars)
		if len(xys) > 0 {
			lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
			if err != nil {
				return nil, err
			}
			for k := range lab.TextStyle {
				lab.TextStyle[k].Font.Size = vg.Points(7)
				lab.TextStyle[k].XAlign = draw.XCenter
				lab.TextStyle[k].Rotation = math.Pi / 2
				lab.TextStyle[k].YAlign = draw.YCenter
			}
			lab.Offset = vg.Point{X: bars.Offset, Y: vg.Points(10)}
			p.Add(lab)
		}
	}
	one, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(rep.Workloads)) - 0.5, Y: 1}})
	if err != nil {
		return nil, err
	}
	one.Color = color.Black
	one.Width = vg.Points(1.2)
	one.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(one)
	p.Legend.Add("redis-benchmark = 1.0", one)
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Y.Max = top * 1.45
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		step := 0.25
		if hi > 3 {
			step = 0.5
		}
		var ticks []plot.Tick
		for v := 0.0; v <= hi+1e-9; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.2f", v)})
		}
		return ticks
	})
	p.X.Min, p.X.Max = -0.5, float64(len(rep.Workloads))-0.5
	return p, nil
}
